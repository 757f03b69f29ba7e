package chaos

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// splitArgs reads an inline command's arguments exactly as Redis does, so
// that a fault's selector sees the command and key Redis runs: each line is
// sent as RPUSH list <line> to a real server and the list read back; a
// line Redis refuses (unbalanced quotes) must be refused too.
func TestInlineArgumentsAreSplitAsRedisSplitsThem(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	for i, line := range []string{
		`a b`, `  a   b  `, `"a b"`, `'a b'`, `"\x41\x4g\x"`, `"a\"b"`, `'it\'s'`, `'a\"b'`,
		`"\n\t\r\b\a\z\\"`, `a"b c"`, `a'b c'`, `""`, `''`, "a\tb", "a\vb", "a\fb c", `x"y"`,
		`"é"`, `\x41`, `"abc`, `'abc`, `"a"b`, `'a'b`, `"a\"`, "\"a\tb\"\tc",
	} {
		key := "list" + string(rune('a'+i))
		nc, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := nc.Write([]byte("RPUSH " + key + " " + line + "\r\n")); err != nil {
			t.Fatal(err)
		}
		reply, _ := bufio.NewReader(nc).ReadString('\n')
		_ = nc.Close()
		args, ok := splitArgs([]byte("RPUSH " + key + " " + line))
		if strings.HasPrefix(reply, "-") {
			if ok {
				t.Errorf("%q: Redis refused it (%q), splitArgs gave %q", line, reply, args)
			}
			continue
		}
		want, err := c.LRange(ctx(t), key, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range args[min(2, len(args)):] {
			got = append(got, string(a))
		}
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%q: splitArgs %q (ok %v), Redis %q", line, got, ok, want)
		}
	}
}
