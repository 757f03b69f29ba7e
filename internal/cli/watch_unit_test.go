package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

func TestWatchServicesChangesBecomeTransitions(t *testing.T) {
	w := &watchServices{prev: make([]watchSeen, 1)}
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	sample := func(sec int, st manager.State, trips uint64) tui.SampleMsg {
		return tui.SampleMsg{Target: "svc", At: t0.Add(time.Duration(sec) * time.Second),
			Snap: manager.Snapshot{State: st, Trips: trips, StateSince: t0, LastError: "dial tcp: connection refused"}}
	}
	// The first poll only sets the baseline
	if got := w.changes(0, sample(0, manager.Closed, 0)); len(got) != 0 {
		t.Fatalf("first poll: %v", got)
	}
	// A state change is a transition, with the failure when it opened
	got := w.changes(0, sample(1, manager.Open, 1))
	if len(got) != 1 {
		t.Fatalf("open: %v", got)
	}
	tr := got[0].(tui.TransitionMsg)
	if tr.From != manager.Closed || tr.To != manager.Open || tr.Err == "" {
		t.Errorf("open transition %+v", tr)
	}
	// An unreadable poll changes nothing; a round trip between polls is reported
	if got := w.changes(0, tui.SampleMsg{Target: "svc", Err: "unreachable"}); len(got) != 0 {
		t.Errorf("failed poll: %v", got)
	}
	if got := w.changes(0, sample(3, manager.Open, 2)); len(got) != 1 || !strings.Contains(got[0].(tui.TransitionMsg).Reason, "tripped 1 time") {
		t.Errorf("round trip: %v", got)
	}
}

func TestWatchSnapshotFromHealth(t *testing.T) {
	s := watchSnapshot(&health.RedisInfo{State: "HALF_OPEN", Trips: 3, LatencyP99: 1.5})
	if s.State != manager.HalfOpen || s.Trips != 3 || s.Latency.P99 != 1500*time.Microsecond {
		t.Errorf("snapshot %+v", s)
	}
	if _, ok := watchParseState("SIDEWAYS"); ok {
		t.Error("an unknown state was read as known")
	}
	doc := health.Document{Status: health.Warn, Checks: map[string][]health.Check{
		"service:a": {{Status: health.Pass}}, "service:b": {{Status: health.Warn}}, "redis:pool": {{Status: health.Fail}},
	}}
	if got := watchServicesDetail(doc); got != "services: 1 pass, 1 warn" {
		t.Errorf("detail %q", got)
	}
}

// watchBrokenWriter fails every write, first with "broken pipe", then with
// another error, so that a test can tell which one was kept.
type watchBrokenWriter struct{ n int }

func (w *watchBrokenWriter) Write([]byte) (int, error) {
	if w.n++; w.n == 1 {
		return 0, errors.New("broken pipe")
	}
	return 0, errors.New("later failure")
}

func TestWatchPrinterKeepsTheFirstWriteError(t *testing.T) {
	bw := &watchBrokenWriter{}
	p := newWatchPrinter(&Global{IO: IOStreams{Out: bw}, Output: "table"}, time.Second)
	p.start("x")
	p.sample(tui.SampleMsg{Target: "redis", At: time.Now()})
	if bw.n < 2 {
		t.Fatalf("%d writes, want the start line and a summary", bw.n)
	}
	if p.err == nil || !strings.Contains(p.err.Error(), "write output: broken pipe") {
		t.Errorf("err %v", p.err)
	}
}
