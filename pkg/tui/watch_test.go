package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
)

// outage plays a story on one target: 30 s healthy at 5 probes/s, then the
// probes time out, the breaker opens at 35 s and fails fast until 40 s.
func outage(t *testing.T, w Watch) Watch {
	t.Helper()
	var msgs []tea.Msg
	for s := 0; s <= 30; s++ {
		msgs = append(msgs, SampleMsg{Target: "redis", At: at(float64(s)), Snap: healthy(uint64(5 * s))})
	}
	bad := healthy(150)
	for s := 31; s <= 35; s++ {
		bad.Requests++
		bad.Failures++
		bad.LastError, bad.LastErrorAt = "read tcp 127.0.0.1:50312->127.0.0.1:41000: i/o timeout", at(float64(s))
		msgs = append(msgs, SampleMsg{Target: "redis", At: at(float64(s)), Snap: bad})
	}
	msgs = append(msgs, TransitionMsg{Target: "redis", Transition: manager.Transition{
		From: manager.Closed, To: manager.Open, At: at(35.2), Reason: "5 consecutive failures",
		Err: bad.LastError, OpenFor: 5 * time.Second,
	}})
	bad.State, bad.StateSince, bad.NextProbe, bad.Trips = manager.Open, at(35.2), at(40.2), 1
	for s := 36; s <= 40; s++ {
		bad.Rejected += 5
		msgs = append(msgs, SampleMsg{Target: "redis", At: at(float64(s)), Snap: bad})
	}
	return feed(t, w, msgs...)
}

func TestWatchClosedGolden(t *testing.T) {
	// Given a healthy target sampled for 30 s
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}})
	for s := 0; s <= 30; s++ {
		w = feed(t, w, SampleMsg{Target: "redis", At: at(float64(s)), Snap: healthy(uint64(5 * s))})
	}
	// Then the screen says CLOSED, 5.0/s, 0% errors, no transitions
	v := w.View()
	for _, want := range []string{"CLOSED", "5.0/s", "0.0%", "in state 30s", "no transitions yet", "q quit"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	golden(t, "closed", v)
	checkFits(t, v, 80, 24)
}

func TestWatchOpenGolden(t *testing.T) {
	// Given a blackhole fault and the outage it causes
	ff := &fakeFaults{active: []ActiveFault{{Name: "blackhole", Detail: "timeout, both streams", Injected: 3}}}
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}, Faults: ff})
	w = feed(t, w, FaultsMsg{Active: ff.active})
	w = outage(t, w)
	// Then the state is OPEN in words, with the reason, the next probe and the fault
	v := w.View()
	for _, want := range []string{"OPEN", "12:03:35 CLOSED → OPEN after 5 consecutive failures: read tcp", "next probe 12:03:40", "trips 1", "blackhole", "f faults"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	golden(t, "open", v)
	checkFits(t, v, 80, 24)
}

func TestWatchPauseFreezesScreen(t *testing.T) {
	// Given a screen paused while healthy
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}})
	w = feed(t, w, SampleMsg{Target: "redis", At: at(0), Snap: healthy(0)}, SampleMsg{Target: "redis", At: at(1), Snap: healthy(5)})
	w = feed(t, w, keys("p")...)
	frozen := w.View()
	if !strings.Contains(frozen, "PAUSED") {
		t.Fatalf("paused screen does not say PAUSED:\n%s", frozen)
	}
	// When the outage happens behind it
	w = outage(t, w)
	// Then the screen has not moved, but resuming shows the data collected meanwhile
	if got := w.View(); got != frozen {
		t.Errorf("paused screen changed:\n%s", got)
	}
	golden(t, "paused", frozen)
	w = feed(t, w, keys("p")...)
	if v := w.View(); !strings.Contains(v, "CLOSED → OPEN") || strings.Contains(v, "PAUSED") {
		t.Errorf("resumed screen lacks the transition collected while paused:\n%s", v)
	}
}

func TestWatchFaultMenuConfirmsThenApplies(t *testing.T) {
	ff := &fakeFaults{}
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}, Faults: ff})
	w = feed(t, w, SampleMsg{Target: "redis", At: at(0), Snap: healthy(0)})
	// When f opens the menu and the second entry is chosen
	w = feed(t, w, keys("f")...)
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyDown})
	golden(t, "menu", w.View())
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyEnter})
	// Then nothing is applied before the confirmation
	golden(t, "confirm", w.View())
	if len(ff.applied) != 0 {
		t.Fatalf("applied before confirmation: %v", ff.applied)
	}
	// When y confirms, the fault is applied and shown
	w = feed(t, w, keys("y")...)
	if len(ff.applied) != 1 || ff.applied[0] != "blackhole" {
		t.Fatalf("applied %v, want [blackhole]", ff.applied)
	}
	if v := w.View(); !strings.Contains(v, "blackhole injected") || !strings.Contains(v, "faults  blackhole") {
		t.Errorf("view after confirmation:\n%s", v)
	}
	// And esc in the menu, or n at the confirmation, applies nothing
	w = feed(t, w, keys("f3n")...)
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyEsc})
	if len(ff.applied) != 1 || w.dt.mode != modeNormal {
		t.Errorf("cancel applied %v, mode %d", ff.applied, w.dt.mode)
	}
	// And clear all removes every fault, also when the keys arrive as one message
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f3y")})
	if v := w.View(); !strings.Contains(v, "every fault removed") || !strings.Contains(v, "faults  none") {
		t.Errorf("view after clear:\n%s", v)
	}
}

func TestWatchHelpAndFilter(t *testing.T) {
	w := outage(t, newTestWatch(WatchConfig{Targets: []string{"redis"}}))
	w = feed(t, w, keys("?")...)
	golden(t, "help", w.View())
	w = feed(t, w, keys("?")...)
	// A filter that matches no transition says so; q while typing is text, not quit
	w = feed(t, w, keys("/q")...)
	if v := w.View(); !strings.Contains(v, "filter: q█") || !strings.Contains(v, "no transition matches") {
		t.Errorf("filtering view:\n%s", v)
	}
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyBackspace})
	w = feed(t, w, keys("timeout")...)
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyEnter})
	if v := w.View(); !strings.Contains(v, `filter "timeout"`) || !strings.Contains(v, "CLOSED → OPEN") {
		t.Errorf("filtered view:\n%s", v)
	}
}

func TestWatchQuitKeys(t *testing.T) {
	w := newTestWatch(WatchConfig{})
	for _, k := range []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{'q'}}, {Type: tea.KeyCtrlC}} {
		_, cmd := w.Update(k)
		if cmd == nil {
			t.Fatalf("%v: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%v does not quit", k)
		}
	}
}

func TestWatchFitsEverySize(t *testing.T) {
	ff := &fakeFaults{active: []ActiveFault{{Name: "blackhole", Detail: "timeout, both streams"}}}
	for _, size := range [][2]int{{80, 24}, {60, 15}, {120, 40}, {40, 10}, {30, 3}, {20, 1}} {
		w := outage(t, newTestWatch(WatchConfig{Targets: []string{"redis"}, Faults: ff}))
		w = feed(t, w, tea.WindowSizeMsg{Width: size[0], Height: size[1]}, FaultsMsg{Active: ff.active})
		checkFits(t, w.View(), size[0], size[1])
		w = feed(t, w, keys("?")...)
		checkFits(t, w.View(), size[0], size[1])
		w = feed(t, w, keys("?f")...)
		checkFits(t, w.View(), size[0], size[1])
	}
}

func TestWatchOverviewOfServicesGolden(t *testing.T) {
	// Given two services, one healthy and one open, and a third unreachable
	w := newTestWatch(WatchConfig{Source: "3 services", Targets: []string{"checkout", "search", "billing"}})
	open := healthy(400)
	open.State, open.StateSince, open.NextProbe, open.Trips, open.Rejected = manager.Open, at(50), at(62), 2, 40
	open.LastError = "dial tcp 10.0.0.7:6379: connect: connection refused"
	w = feed(t, w,
		SampleMsg{Target: "checkout", At: at(59), Snap: healthy(295), Detail: "services: 4 pass"},
		SampleMsg{Target: "checkout", At: at(60), Snap: healthy(300), Detail: "services: 4 pass"},
		SampleMsg{Target: "search", At: at(60), Snap: open, Detail: "services: 2 pass, 1 warn"},
		SampleMsg{Target: "billing", At: at(60), Err: "fetch http://127.0.0.1:9/health/redis: service unreachable"},
		TransitionMsg{Target: "search", Transition: manager.Transition{From: manager.Closed, To: manager.Open,
			At: at(50), Reason: "5 consecutive failures", Err: open.LastError, OpenFor: 12 * time.Second}},
	)
	v := w.View()
	golden(t, "services", v)
	checkFits(t, v, 80, 24)
	// Then each service is a row with its state in words, and what it says
	// of itself where a Redis target has the server's figures
	for _, want := range []string{`3 targets: 1 CLOSED, 1 OPEN, 1 UNKNOWN`, `> checkout\s+CLOSED\s+5.0/s`, `services: 4 pass`,
		`  search\s+OPEN\s+-`, `next probe in 2s`, `  billing\s+UNKNOWN\s+no reading: fetch`} {
		if !regexp.MustCompile(want).MatchString(v) {
			t.Errorf("view lacks %q", want)
		}
	}
	// When filtered to one service, only its row is left
	w = feed(t, w, keys("/sea")...)
	if v := w.View(); strings.Contains(v, "checkout") || !strings.Contains(v, "search") {
		t.Errorf("filter kept other rows:\n%s", v)
	}
}

func TestWatchOverviewFitsEverySize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}, {120, 40}, {40, 10}, {30, 3}} {
		w := newTestWatch(WatchConfig{Targets: []string{"a", "b", "c"}})
		w = feed(t, w, tea.WindowSizeMsg{Width: size[0], Height: size[1]},
			SampleMsg{Target: "a", At: at(1), Snap: healthy(5)},
			SampleMsg{Target: "b", At: at(1), Err: strings.Repeat("unreachable ", 10)})
		checkFits(t, w.View(), size[0], size[1])
	}
}

func TestWatchSaysStaleWhenTheFeedStops(t *testing.T) {
	// Given a feed that delivered a sample, then nothing for 7 s
	now := at(0)
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}, Now: func() time.Time { return now }})
	w = feed(t, w, SampleMsg{Target: "redis", At: at(0), Snap: healthy(0)}, tickMsg{})
	if v := w.View(); strings.Contains(v, "STALE") {
		t.Fatalf("fresh screen says STALE:\n%s", v)
	}
	now = at(7)
	w = feed(t, w, tickMsg{})
	// Then the header says so, in words
	if v := w.View(); !strings.Contains(v, "STALE: no data for 7s") {
		t.Errorf("stalled screen does not say STALE:\n%s", v)
	}
	// And the next sample clears it
	w = feed(t, w, SampleMsg{Target: "redis", At: at(7), Snap: healthy(35)})
	if v := w.View(); strings.Contains(v, "STALE") {
		t.Errorf("STALE after a new sample:\n%s", v)
	}
}
