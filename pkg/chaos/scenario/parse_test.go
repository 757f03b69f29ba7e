package scenario

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(k string) string {
	if k == "REDIS_URL" {
		return "redis://127.0.0.1:6379"
	}
	return ""
}

const good = `name: latency spike
target: ${REDIS_URL}
hypothesis:
  - probe: goodput
    min: 0.9
    within: 6s
method:
  - at: 1s
    duration: 3s
    proxy:
      type: latency
      attributes: {latency: 200}
`

func TestParseGood(t *testing.T) {
	s, err := Parse([]byte(good), env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Target != "redis://127.0.0.1:6379" || s.Method[0].At.Duration != time.Second || s.Hypothesis[0].Within.Duration != 6*time.Second {
		t.Fatalf("parsed %+v", s)
	}
	if s.Load.Rate != 200 || s.Hypothesis[0].Window.Duration != 2*time.Second {
		t.Fatalf("defaults not applied: %+v", s)
	}
}

func TestParseErrorsNameLineAndField(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unknown field", strings.Replace(good, "    min: 0.9", "    minimum: 0.9", 1), `[5:5] unknown field "minimum"`},
		{"bad duration", strings.Replace(good, "at: 1s", "at: soon", 1), "soon"},
		{"bad probe", strings.Replace(good, "probe: goodput", "probe: vibes", 1), `line 4: $.hypothesis[0].probe: want one of`},
		{"bad fault type", strings.Replace(good, "type: latency", "type: gremlins", 1), `line 11: $.method[0].proxy: invalid toxic type: "gremlins"`},
		{"missing duration", strings.Replace(good, "    duration: 3s\n", "", 1), `$.method[0].duration: a proxy fault needs a duration`},
		{"server fault without allow", strings.Replace(good, "    proxy:\n      type: latency\n      attributes: {latency: 200}\n", "    server: {fault: maxclients, args: [\"5\"]}\n", 1), `$.allow: server faults need an allow-list`},
		{"not yaml", "name: [", "[1:7]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: x\nmethod: [{at: 1s}]"))
	// testdata/fuzz/FuzzParse keeps the inputs that once blew up: an alias
	// bomb (19 GB), deep nesting (quadratic parse), `at: 100000h`.
	f.Fuzz(func(t *testing.T, b []byte) {
		d, alloc, s, err := parseBudget(b) // must not panic
		if alloc > parseAllocBudget {
			t.Fatalf("parse of %d bytes allocated %d MiB", len(b), alloc>>20)
		}
		if err == nil {
			if what := outOfBounds(s); what != "" {
				t.Fatalf("accepted %s, out of its range", what)
			}
		}
		if d > 10*time.Second { // the fuzzer's own hang limit; -race on a busy machine stays under 1s
			t.Fatalf("parse of %d bytes took %s", len(b), d)
		}
	})
}

// The scenario shown in the README parses as shown.
func TestREADMEScenarioParses(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(b), "```yaml\n")
	if len(blocks) < 2 {
		t.Fatal("no yaml block in README.md")
	}
	for _, blk := range blocks[1:] {
		src := blk[:strings.Index(blk, "```")]
		if _, err := Parse([]byte(src), env); err != nil {
			t.Errorf("README scenario: %v", err)
		}
	}
}
