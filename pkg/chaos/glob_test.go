package chaos

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// globKeys are keys that tell glob dialects apart: '/', the special bytes
// themselves, bytes ≥ 0x80 and case.
var globKeys = []string{
	"user:a/b", "user:a", "user:", "user", "a*b", "a?b", "a[b", "a]b", `a\b`, "a-b", "ab", "abc",
	"aXc", "a^b", "A", "a", "b", "z", "[", "]", "-", "^", "*", "?", `\`, "hello", "hallo", "hxllo",
	"héllo", "h\nllo", "\xff", "\x80x", "a/b/c", "",
}

// globPatterns are written as JSON can carry them (valid UTF-8), since the
// API takes them from JSON.
var globPatterns = []string{
	"user:*", "*", "?", "a?b", "a*b", `a\*b`, `a\?b`, "a[b-c]", "a[^b]c", "[a-c]", "[c-a]", "[^a]",
	"[", "[a", "a[", "[]]", "[]", "[^]", `\`, `a\`, `a\\b`, `[\]]`, `[a\-c]`, "h[ae]llo", "h[^e]llo",
	"h*llo", `*\*`, `[\`, "a[b", "*[", "[a-]", "[-a]", "user:a/*", "**", "*?*", "u*r:a/?", "[a-é]",
	"h?llo", "h??llo", "[A-Z]", "a/*", "*/*", "[^a-z]*", "*b", "*a*b*c*", "[[]", "[]-]",
}

func keysOf(t *testing.T, c *redis.Client, pattern string) []string {
	t.Helper()
	keys, err := c.Keys(ctx(t), pattern).Result()
	if err != nil {
		t.Fatalf("KEYS %q: %v", pattern, err)
	}
	slices.Sort(keys)
	return keys
}

func scanOf(t *testing.T, c *redis.Client, pattern string) []string {
	t.Helper()
	var out []string
	iter := c.Scan(ctx(t), 0, pattern, 1000).Iterator()
	for iter.Next(ctx(t)) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN MATCH %q: %v", pattern, err)
	}
	slices.Sort(out)
	return out
}

// A key selector picks exactly the keys Redis's own KEYS and SCAN MATCH
// pick for the same pattern: '*' crosses '/', classes, negation, escapes,
// unclosed classes, backwards ranges. path.Match, used before, did not let
// user:* match user:a/b and refused "[".
func TestKeyGlobSelectsWhatKeysSelects(t *testing.T) {
	srv, p := startRedisProxy(t, nil)
	direct, through := client(t, srv.Addr), client(t, p.Addr())
	for _, k := range globKeys {
		if err := direct.Set(ctx(t), k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, pattern := range globPatterns {
		want := keysOf(t, direct, pattern)
		if scan := scanOf(t, direct, pattern); !slices.Equal(scan, want) {
			t.Fatalf("Redis itself: KEYS %q = %q, SCAN MATCH = %q", pattern, want, scan)
		}
		if _, err := p.AddToxic(always("g", "error", "", Attributes{"message": "ERR matched", "key": pattern})); err != nil {
			t.Fatalf("key glob %q refused: %v", pattern, err)
		}
		pipe := through.Pipeline()
		cmds := make([]*redis.IntCmd, len(globKeys))
		for i, k := range globKeys {
			cmds[i] = pipe.Exists(ctx(t), k)
		}
		_, _ = pipe.Exec(ctx(t))
		var got []string
		for i, cmd := range cmds {
			switch err := cmd.Err(); {
			case err == nil:
			case err.Error() == "ERR matched":
				got = append(got, globKeys[i])
			default:
				t.Fatalf("EXISTS %q: %v", globKeys[i], err)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("key glob %q selects %q; KEYS gives %q", pattern, got, want)
		}
		if err := p.RemoveToxic("g"); err != nil {
			t.Fatal(err)
		}
	}
}

// globMatch against KEYS on patterns drawn at random from the bytes that
// mean something to a glob, raw bytes ≥ 0x80 included (signed-char ranges).
func TestGlobMatchAgreesWithKeysOnRandomPatterns(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	for _, k := range globKeys {
		if err := c.Set(ctx(t), k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	alphabet := []byte{'a', 'b', '*', '?', '[', ']', '^', '-', '\\', '/', 'u', 0xff, 0x80, 'A'}
	rng := rand.New(rand.NewPCG(1, 2))
	patterns := make([]string, 3000)
	for i := range patterns {
		b := make([]byte, rng.IntN(9))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		patterns[i] = string(b)
	}
	pipe := c.Pipeline()
	cmds := make([]*redis.StringSliceCmd, len(patterns))
	for i, pat := range patterns {
		cmds[i] = pipe.Keys(ctx(t), pat)
	}
	if _, err := pipe.Exec(ctx(t)); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, pat := range patterns {
		want := cmds[i].Val()
		slices.Sort(want)
		var got []string
		for _, k := range globKeys {
			if globMatch([]byte(pat), []byte(k)) {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			if bad++; bad <= 10 {
				t.Errorf("pattern %q: globMatch selects %q, KEYS %q", pat, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d patterns disagree", bad, len(patterns))
	}
}

// A long pattern of stars against a long key stays fast (Redis's
// skipLongerMatches): this would take ages with plain backtracking.
func TestGlobMatchIsNotExponential(t *testing.T) {
	pattern := []byte(strings.Repeat("a*", 40) + "b")
	key := []byte(strings.Repeat("a", 200))
	if globMatch(pattern, key) {
		t.Fatal("matched")
	}
}
