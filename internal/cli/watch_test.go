package cli

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/tui"
)

func TestWatchFlagErrorsAreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, "--rate must be in"},
		{[]string{"--failure-threshold", "0"}, "--failure-threshold must be at least 1"},
		{[]string{"--open-timeout", "10s", "--max-open-timeout", "1s"}, "--open-timeout must be positive"},
		{[]string{"--chaos", "--service", "http://127.0.0.1:1"}, "--chaos works on a Redis target"},
		{[]string{"--service", "ftp://x"}, "invalid --service"},
	} {
		o := &watchOptions{g: &Global{Getenv: func(string) string { return "" }}}
		cmd := NewWatchCmd(o.g)
		if err := cmd.ParseFlags(tc.args); err != nil {
			t.Fatalf("%v: parse: %v", tc.args, err)
		}
		err := cmd.RunE(cmd, nil)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || ExitCode(err) != ExitError {
			t.Errorf("%v: got %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
	// A malformed URL is a usage error too, its password redacted
	g := &Global{RedisURL: "redis://:hunter2@[::1", Getenv: func(string) string { return "" }}
	cmd := NewWatchCmd(g)
	err := cmd.RunE(cmd, nil)
	if ExitCode(err) != ExitError || !strings.Contains(err.Error(), "parse redis url") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad url: %v", err)
	}
}

var (
	watchTransitionLine = regexp.MustCompile(`^\S+ redis (CLOSED|OPEN|HALF_OPEN) → (CLOSED|OPEN|HALF_OPEN) .+$`)
	watchSummaryLine    = regexp.MustCompile(`^\S+ redis state=(CLOSED|OPEN|HALF_OPEN) for=\S+ trips=\d+( next_probe=\S+)?( rate=[\d.]+/s errors=[\d.]+%)? p50=[\d.]+ms p90=[\d.]+ms p99=[\d.]+ms pool=\d+/\d+/\d+ retries=\d+ fallbacks=\d+( last_error=".*")?$`)
	watchStartLine      = regexp.MustCompile(`^\S+ watching .+: a line per transition, a summary every \S+$`)
	watchServerLine     = regexp.MustCompile(`^\S+ redis server \S+ role=\w+( error=".*"| clients=\S+ blocked=\S+ rejected=(\d+|-) rejected_rate=([\d.]+|-)/s ops=\S+/s hit=\S+ used_memory=\S+ maxmemory=\S+ evicted=(\d+|-) replicas=\S+ lag=\S+( link=down)? spikes=".*" slowlog=".*")$`)
)

// TestWatchPlainFollowsAnOutage: with stdout not a terminal, watch prints a
// line per transition and summaries, through a real redis-server that is
// killed and restarted.
func TestWatchPlainFollowsAnOutage(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	out, errOut, stop := watchStart(t, "watch", "--redis-url", srv.URL(), "--rate", "20", "--refresh", "100ms",
		"--summary", "300ms", "--timeout", "300ms", "--open-timeout", "300ms", "--max-open-timeout", "600ms")
	watchWait(t, "first summary", out.String, regexp.MustCompile(`redis state=CLOSED`), 10*time.Second)

	// When redis-server dies, the breaker opens; when it is back, it closes
	srv.Kill()
	watchWait(t, "open", out.String, regexp.MustCompile(`redis CLOSED → OPEN after \d+ consecutive failures: .+`), 15*time.Second)
	srv.Restart()
	watchWait(t, "closed", out.String, regexp.MustCompile(`redis HALF_OPEN → CLOSED after \d+ successful probes`), 20*time.Second)
	if err := stop(); err != nil {
		t.Fatalf("watch: %v (stderr %s)", err, errOut.String())
	}

	// Then every line is one of the four documented shapes, the server's
	// own figures among them
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !watchStartLine.MatchString(lines[0]) {
		t.Errorf("first line: %q", lines[0])
	}
	servers := 0
	for _, l := range lines[1:] {
		if watchServerLine.MatchString(l) {
			servers++
			continue
		}
		if !watchTransitionLine.MatchString(l) && !watchSummaryLine.MatchString(l) {
			t.Errorf("unparsable line: %q", l)
		}
	}
	if servers == 0 {
		t.Errorf("no server line:\n%s", out.String())
	}
	if errOut.String() != "" {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// TestWatchJSONIsNDJSON: -o json prints one JSON event per line.
func TestWatchJSONIsNDJSON(t *testing.T) {
	watchNoLeaks(t)
	out, _, stop := watchStart(t, "watch", "-o", "json", "--refresh", "50ms", "--summary", "100ms")
	watchWait(t, "summaries", out.String, regexp.MustCompile(`(?s)"type":"summary".*"type":"summary".*"rate_per_s"`), 10*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev struct {
			Type   string `json:"type"`
			Target string `json:"target"`
			State  string `json:"state"`
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		types[ev.Type]++
		if ev.Type == "summary" && (ev.Target != "redis" || ev.State != "CLOSED") {
			t.Errorf("summary of the embedded target: %q", l)
		}
	}
	if types["start"] != 1 || types["summary"] < 2 {
		t.Errorf("event types %v", types)
	}
}

// TestWatchFaultMenuEntriesApply: every entry of the f menu sets a valid
// fault on the chaos proxy, and clear all and closing remove them.
func TestWatchFaultMenuEntriesApply(t *testing.T) {
	watchNoLeaks(t)
	o := &watchOptions{g: &Global{}, rate: 5, refresh: time.Second, failures: 5,
		openWait: time.Second, maxOpen: time.Second, timeout: time.Second, chaos: true}
	src, err := newWatchRedis(o, watchRedisSpec{name: watchTargetName, url: o.g.RedisURL})
	if err != nil {
		t.Fatal(err)
	}
	ctrl := src.faults()
	for _, opt := range ctrl.Options() {
		if opt.ID == tui.ClearID {
			continue
		}
		active, err := ctrl.Apply(opt.ID)
		if err != nil {
			t.Errorf("%s: %v", opt.ID, err)
		}
		if len(active) == 0 || active[len(active)-1].Name != opt.ID {
			t.Errorf("%s: active %v", opt.ID, active)
		}
	}
	if active, err := ctrl.Apply(tui.ClearID); err != nil || len(active) != 0 {
		t.Errorf("clear: %v %v", active, err)
	}
	if _, err := ctrl.Apply("blackhole"); err != nil {
		t.Fatal(err)
	}
	src.close()
	for _, p := range src.rig.Proxies() {
		if n := len(p.Toxics()); n != 0 {
			t.Errorf("%d faults left after close on %s", n, p.Upstream())
		}
	}
}
