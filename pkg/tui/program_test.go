package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/rescli/rescli/pkg/manager"
)

// TestWatchProgramReadsEvents runs the model in a real bubbletea program fed
// through WatchConfig.Events, then quits with q.
func TestWatchProgramReadsEvents(t *testing.T) {
	events := make(chan tea.Msg)
	s := ASCIIStyles()
	tm := teatest.NewTestModel(t, NewWatch(WatchConfig{Targets: []string{"redis"}, Events: events, Styles: &s, StaleAfter: -1}),
		teatest.WithInitialTermSize(80, 24))
	// Given the caller's events: a sample, a transition, a later sample
	snap := healthy(10)
	events <- SampleMsg{Target: "redis", At: at(1), Snap: snap}
	events <- TransitionMsg{Target: "redis", Transition: manager.Transition{From: manager.Closed, To: manager.Open, At: at(2), Reason: "5 consecutive failures"}}
	snap.State, snap.StateSince = manager.Open, at(2)
	events <- SampleMsg{Target: "redis", At: at(3), Snap: snap}
	close(events)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "12:03:03") },
		teatest.WithDuration(10*time.Second))
	// When q is pressed
	tm.Type("q")
	// Then the final screen shows every event
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Watch)
	v := final.View()
	for _, want := range []string{"OPEN", "12:03:02 CLOSED → OPEN after 5 consecutive failures", "12:03:03"} {
		if !strings.Contains(v, want) {
			t.Errorf("final view lacks %q:\n%s", want, v)
		}
	}
}
