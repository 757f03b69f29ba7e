package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every number in the schema has a range; a value outside it is refused
// with the field's line, path and the range. `at: 100000h` ran for ever,
// `workers: 100000` took 45 s to start.
func TestParseRefusesOutOfRangeNumbers(t *testing.T) {
	step := "  - at: 1s\n    duration: 3s\n    proxy:\n      type: latency\n      attributes: {latency: 200}\n"
	with := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	for _, tc := range []struct{ name, src, want string }{
		{"at", with("at: 1s", "at: 100000h"), "line 8: $.method[0].at: 100000h0m0s is out of range: want 0s to 24h0m0s"},
		{"duration", with("duration: 3s", "duration: 25h"), "$.method[0].duration: 25h0m0s is out of range: want 0s to 24h0m0s"},
		{"workers", good + "load: {workers: 100000}\n", "$.load.workers: 100000 is out of range: want 1 to 1000"},
		{"rate", good + "load: {rate: 1000000000}\n", "$.load.rate: 1000000000 is out of range: want 1 to 100000"},
		{"negative rate", good + "load: {rate: -5}\n", "$.load.rate: -5 is out of range"},
		{"every", good + "every: 1ns\n", "$.every: 1ns is out of range: want 10ms to 1h0m0s"},
		{"abort after", good + "abort: {after: 5000}\n", "$.abort.after: 5000 is out of range: want 1 to 1000"},
		{"within", with("within: 6s", "within: 48h"), "$.hypothesis[0].within: 48h0m0s is out of range"},
		{"window", with("within: 6s", "window: 1ms"), "$.hypothesis[0].window: 1ms is out of range: want 100ms to 24h0m0s"},
		{"goodput NaN", with("min: 0.9", "min: .nan"), "$.hypothesis[0].min: goodput needs a fraction"},
		{"ping_p99", with("probe: goodput\n    min: 0.9", "probe: ping_p99\n    max: 100000h"), "$.hypothesis[0].max: ping_p99 needs a duration above 0s and at most 24h0m0s"},
		{"ping_p99 negative", with("probe: goodput\n    min: 0.9", "probe: ping_p99\n    max: -1s"), "$.hypothesis[0].max: ping_p99 needs a duration"},
		{"error_rate", with("probe: goodput\n    min: 0.9", "probe: error_rate\n    max: \"2\""), "$.hypothesis[0].max: error_rate needs a fraction from 0 to 1"},
		{"error_rate trailing junk", with("probe: goodput\n    min: 0.9", "probe: error_rate\n    max: \"0.5abc\""), "error_rate needs a fraction"},
		{"herd_failed", with("probe: goodput\n    min: 0.9", "probe: herd_failed\n    max: \"Inf\""), "$.hypothesis[0].max: herd_failed needs a number of services"},
		{"toxicity", with("type: latency", "type: latency\n      toxicity: 2"), "$.method[0].proxy.toxicity: 2 is out of range: want 0 to 1"},
		{"stream", with("type: latency", "type: latency\n      stream: sideways"), "$.method[0].proxy.stream: want upstream, downstream or both"},
		{"herd services", with("    proxy:\n      type: latency\n      attributes: {latency: 200}\n", "    herd: {services: 100000}\n"), "$.method[0].herd.services: 100000 is out of range: want 1 to 10000"},
		{"steps", good + strings.Repeat(step, MaxSteps), "$.method: 101 entries, the limit is 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), env)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// aliasBomb nests levels of nine aliases each: 9^levels strings once
// expanded, from a few hundred bytes. Proxy attributes take any map, so
// only the shape check stands in its way.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("name: bomb\nmethod:\n  - proxy:\n      type: latency\n      attributes:\n")
	b.WriteString(`        a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("        a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" +
			strings.TrimSuffix(strings.Repeat(prev+", ", 9), ", ") + "]\n")
	}
	return b.String()
}

// parseBudget parses src and reports how long it took and how many bytes
// it allocated.
func parseBudget(src []byte) (time.Duration, uint64, *Scenario, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	s, err := Parse(src, env)
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc, s, err
}

// outOfBounds names a number of a parsed scenario outside its range, or
// returns "".
func outOfBounds(s *Scenario) string {
	switch {
	case s.Load.Workers < 1 || s.Load.Workers > MaxWorkers:
		return fmt.Sprintf("workers %d", s.Load.Workers)
	case s.Load.Rate < 1 || s.Load.Rate > MaxRate:
		return fmt.Sprintf("rate %d", s.Load.Rate)
	case s.Every.Duration < MinEvery || s.Every.Duration > MaxEvery:
		return fmt.Sprintf("every %s", s.Every.Duration)
	case len(s.Method) > MaxSteps:
		return fmt.Sprintf("%d steps", len(s.Method))
	}
	for _, st := range s.Method {
		if st.At.Duration > MaxSpan || st.Duration.Duration > MaxSpan {
			return fmt.Sprintf("step at %s for %s", st.At.Duration, st.Duration.Duration)
		}
	}
	for _, p := range append(slices.Clone(s.Hypothesis), s.During...) {
		if p.Window.Duration < MinWindow || p.Window.Duration > MaxSpan || p.Within.Duration > MaxSpan {
			return fmt.Sprintf("probe window %s within %s", p.Window.Duration, p.Within.Duration)
		}
	}
	return ""
}

// parseAllocBudget is what parsing any input may allocate: a file at the
// token limit allocates about 25 MiB.
const parseAllocBudget = 64 << 20

// An alias bomb is refused before it is decoded, in bounded memory. Seven
// levels (4.8 million strings) took 1.7 s and 280 MiB before; nine levels,
// 19 GB over four and a half minutes.
func TestParseRefusesAliasBomb(t *testing.T) {
	for _, levels := range []int{7, 9} {
		d, alloc, _, err := parseBudget([]byte(aliasBomb(levels)))
		if err == nil || !strings.Contains(err.Error(), "aliases expand to more than 20000 YAML nodes") {
			t.Fatalf("%d levels: error = %v, want the alias limit", levels, err)
		}
		if alloc > 16<<20 {
			t.Fatalf("%d levels: parse allocated %d MiB in %s, want under 16 MiB", levels, alloc>>20, d)
		}
	}
	// A few aliases, as a file might use to share a probe, are fine.
	src := strings.Replace(good, "hypothesis:\n  - probe: goodput", "hypothesis:\n  - &g\n    probe: goodput", 1) +
		"during: [*g, *g]\n"
	if _, err := Parse([]byte(src), env); err != nil {
		t.Fatalf("shared probe: %v", err)
	}
	if _, err := Parse([]byte("name: &a [*a]\n"), env); err == nil {
		t.Fatal("a self-referring alias was accepted")
	}
}

// Deep nesting is refused before the parser, whose time grows with the
// square of the depth (16,000 "[" took 3.4 s; a megabyte of them ran for
// more than five minutes).
func TestParseRefusesDeepNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("[", 16_000),
		strings.Repeat("{a: ", 5_000),
		strings.Repeat("- ", 16_000),
		nestedKeys(40),
	} {
		d, alloc, _, err := parseBudget([]byte(src))
		if err == nil || !strings.Contains(err.Error(), "levels deep, the limit is 32") {
			t.Fatalf("%.20q…: error = %v, want the depth limit", src, err)
		}
		if alloc > parseAllocBudget {
			t.Fatalf("%.20q…: parse allocated %d MiB in %s", src, alloc>>20, d)
		}
	}
	if _, err := Parse([]byte(nestedKeys(20)), env); err == nil || strings.Contains(err.Error(), "levels deep") {
		t.Fatalf("20 levels: error = %v, want only the schema's complaints", err)
	}
}

func nestedKeys(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "k:\n")
	}
	return b.String()
}

// A file over MaxFileSize is refused, and so is an endless one.
func TestLoadFileIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	big := good + "description: " + strings.Repeat("x", MaxFileSize) + "\n"
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path, env); err == nil || !strings.Contains(err.Error(), "the limit is 1048576 (1 MiB)") {
		t.Fatalf("big file: error = %v", err)
	}
	if _, err := LoadFile("/dev/zero", env); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Fatalf("/dev/zero: error = %v", err)
	}
	if _, err := Parse([]byte(big), env); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Fatalf("Parse of a big file: error = %v", err)
	}
}

// Many tokens are refused before the parser sees them.
func TestParseRefusesTooManyTokens(t *testing.T) {
	src := "name: [" + strings.Repeat("1,", MaxTokens) + "1]\n"
	d, alloc, _, err := parseBudget([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "more than 20000 YAML tokens") {
		t.Fatalf("error = %v", err)
	}
	if alloc > parseAllocBudget {
		t.Fatalf("parse allocated %d MiB in %s", alloc>>20, d)
	}
}
