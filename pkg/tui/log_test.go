package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/rescli/rescli/pkg/manager"
)

// dialFailed is go-redis's line for a failed dial, as rescli's -v shows it.
const dialFailed = "go-redis: redis: connection pool: failed to dial after 1 attempts: dial tcp 127.0.0.1:41000: connect: connection refused"

func TestWatchLogPaneGolden(t *testing.T) {
	// Given an outage during which go-redis logged a failed dial per probe
	w := outage(t, newTestWatch(WatchConfig{Targets: []string{"redis"}}))
	w = feed(t, w,
		LogMsg{At: at(33), Text: "go-redis: redis: connection pool: conn[7] rejected by hook, returning to pool"},
		LogMsg{At: at(36), Text: dialFailed},
		LogMsg{At: at(37), Text: dialFailed},
		LogMsg{At: at(38), Text: dialFailed},
	)
	// Then the lines are in a log pane under the transitions, newest first,
	// repeats counted, wrapped so that the cause stays readable
	v := w.View()
	for _, want := range []string{
		"12:03:35 CLOSED → OPEN after 5 consecutive failures",
		"── log, newest first ─",
		"12:03:38 go-redis: redis: connection pool: failed to dial after 1 attempts:",
		"connect: connection refused ×3",
		"12:03:33 go-redis: redis: connection pool: conn[7] rejected by hook",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if strings.Index(v, "12:03:38 go-redis") > strings.Index(v, "12:03:33 go-redis") {
		t.Errorf("log pane is not newest first:\n%s", v)
	}
	golden(t, "log", v)
	checkFits(t, v, 80, 24)
}

func TestWatchLogFloodKeepsTransitions(t *testing.T) {
	// Given six transitions and a flood of distinct log lines, more than kept
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}, LogSize: 50})
	for i := range 6 {
		from, to := manager.Closed, manager.Open
		if i%2 == 1 {
			from, to = manager.Open, manager.Closed
		}
		w = feed(t, w, TransitionMsg{Target: "redis", Transition: manager.Transition{From: from, To: to, At: at(float64(i)), Reason: fmt.Sprintf("transition %d", i)}})
	}
	for i := range 300 {
		w = feed(t, w, LogMsg{At: at(10), Text: fmt.Sprintf("line %d", i)})
	}
	// Then only the newest LogSize lines are kept
	if n := len(w.live.lines); n != 50 || w.live.lines[49].Text != "line 299" {
		t.Fatalf("kept %d lines, newest %q; want 50, line 299", n, w.live.lines[n-1].Text)
	}
	// And the transitions keep at least half of the rows under the breaker
	v := w.View()
	shown := strings.Count(v, "transition ")
	if shown < 3 || !strings.Contains(v, "transition 5") || !strings.Contains(v, "line 299") {
		t.Errorf("%d transitions shown, want the newest and at least 3; newest log line shown: %v\n%s",
			shown, strings.Contains(v, "line 299"), v)
	}
	checkFits(t, v, 80, 24)
	// And the filter applies to the log pane too
	w = feed(t, w, keys("/line 29")...)
	if v := w.View(); !strings.Contains(v, "line 298") || strings.Contains(v, "line 289") {
		t.Errorf("filtered log pane:\n%s", v)
	}
	w = feed(t, w, keys("x")...)
	if v := w.View(); !strings.Contains(v, "no log line matches the filter") {
		t.Errorf("log pane with no match:\n%s", v)
	}
}

func TestWatchLogPauseAndSizes(t *testing.T) {
	// Given a paused screen with a log line
	w := outage(t, newTestWatch(WatchConfig{Targets: []string{"redis"}}))
	w = feed(t, w, LogMsg{At: at(36), Text: dialFailed})
	w = feed(t, w, keys("p")...)
	frozen := w.View()
	// When more lines arrive, the paused screen does not move; resumed, it shows them
	w = feed(t, w, LogMsg{At: at(37), Text: "go-redis: later"})
	if got := w.View(); got != frozen {
		t.Errorf("paused screen changed:\n%s", got)
	}
	w = feed(t, w, keys("p")...)
	if v := w.View(); !strings.Contains(v, "go-redis: later") {
		t.Errorf("resumed screen lacks the line logged while paused:\n%s", v)
	}
	// And a long line fits every size
	w = feed(t, w, LogMsg{At: at(38), Text: strings.Repeat("very long log line ", 30)})
	for _, size := range [][2]int{{80, 24}, {60, 15}, {120, 40}, {40, 10}, {30, 3}, {20, 1}} {
		w = feed(t, w, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkFits(t, w.View(), size[0], size[1])
	}
}

// TestWatchProgramReadsLogs runs the model in a real bubbletea program fed
// through WatchConfig.Logs, which is closed while the program still runs.
func TestWatchProgramReadsLogs(t *testing.T) {
	logs := make(chan LogMsg)
	s := ASCIIStyles()
	tm := teatest.NewTestModel(t, NewWatch(WatchConfig{Targets: []string{"redis"}, Logs: logs, Styles: &s, StaleAfter: -1}),
		teatest.WithInitialTermSize(80, 24))
	logs <- LogMsg{At: at(1), Text: "go-redis: first"}
	logs <- LogMsg{At: at(2), Text: "go-redis: second"}
	close(logs)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "second") },
		teatest.WithDuration(10*time.Second))
	tm.Type("q")
	v := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Watch).View()
	for _, want := range []string{"12:03:02 go-redis: second", "12:03:01 go-redis: first"} {
		if !strings.Contains(v, want) {
			t.Errorf("final view lacks %q:\n%s", want, v)
		}
	}
}
