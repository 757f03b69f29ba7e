package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
)

type fakeBreakers struct{ forced, reset []string }

func (f *fakeBreakers) ForceOpen(target string) (string, error) {
	f.forced = append(f.forced, target)
	return "forced open from rescli watch by test", nil
}

func (f *fakeBreakers) Reset(target string) error {
	f.reset = append(f.reset, target)
	return nil
}

func press(t *testing.T, w Watch, keys string) (Watch, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, r := range keys {
		var m tea.Model
		m, cmd = w.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		w = m.(Watch)
	}
	return w, cmd
}

// o asks before forcing the breaker open; esc backs out with nothing sent;
// y sends it once. While the service's breaker is forced the drill-down
// says so with the reason, and o then offers a reset.
func TestForceOpenAsksThenSendsOnce(t *testing.T) {
	fb := &fakeBreakers{}
	w := NewWatch(WatchConfig{Targets: []string{"http://svc:8080"}, Breakers: fb, StaleAfter: -1})
	w, _ = press(t, w, "o")
	if v := w.View(); !strings.Contains(v, "Force http://svc:8080's breaker OPEN?") {
		t.Fatalf("no confirmation:\n%s", v)
	}
	w, cmd := press(t, w, "n") // n cancels, as esc does
	if cmd != nil || len(fb.forced) != 0 {
		t.Fatal("cancel sent something")
	}
	w, cmd = press(t, w, "oy")
	if cmd == nil {
		t.Fatal("y sent nothing")
	}
	m, _ := w.Update(cmd())
	w = m.(Watch)
	if len(fb.forced) != 1 || !strings.Contains(w.View(), "FORCED_OPEN (forced open from rescli watch by test)") {
		t.Fatalf("forced %v, view:\n%s", fb.forced, w.View())
	}

	snap := manager.Snapshot{Name: "svc", State: manager.ForcedOpen, StateReason: "forced open from rescli watch by test"}
	m, _ = w.Update(SampleMsg{Target: "http://svc:8080", Snap: snap})
	w = m.(Watch)
	if v := w.View(); !strings.Contains(v, "FORCED_OPEN: forced open from rescli watch by test · o resets") {
		t.Fatalf("the forced state is not said on screen:\n%s", v)
	}
	w, _ = press(t, w, "o")
	if !strings.Contains(w.View(), "Reset http://svc:8080's breaker (FORCED_OPEN now)?") {
		t.Fatalf("o on a forced breaker does not offer a reset:\n%s", w.View())
	}
	_, cmd = press(t, w, "y")
	cmd()
	if len(fb.reset) != 1 {
		t.Fatalf("reset %v", fb.reset)
	}
}

// Without a controller, o does nothing and is not offered.
func TestForceOpenNeedsAController(t *testing.T) {
	w := NewWatch(WatchConfig{Targets: []string{"redis"}, StaleAfter: -1})
	w, cmd := press(t, w, "o")
	if cmd != nil || strings.Contains(w.View(), "force open") || strings.Contains(w.View(), "Force ") {
		t.Fatalf("o offered without a controller:\n%s", w.View())
	}
}

// The answer does what the question asked: a sample that arrives between
// o and y (the breaker forced by someone else) does not turn "force open"
// into a reset.
func TestForceOpenAnswerFollowsTheQuestion(t *testing.T) {
	fb := &fakeBreakers{}
	w := NewWatch(WatchConfig{Targets: []string{"http://svc:8080"}, Breakers: fb, StaleAfter: -1})
	w, _ = press(t, w, "o")
	if !strings.Contains(w.View(), "Force http://svc:8080's breaker OPEN?") {
		t.Fatalf("no confirmation:\n%s", w.View())
	}
	snap := manager.Snapshot{Name: "svc", State: manager.ForcedOpen, StateReason: "someone else"}
	m, _ := w.Update(SampleMsg{Target: "http://svc:8080", Snap: snap})
	w = m.(Watch)
	if !strings.Contains(w.View(), "Force http://svc:8080's breaker OPEN?") {
		t.Fatalf("the question changed under the operator:\n%s", w.View())
	}
	_, cmd := press(t, w, "y")
	cmd()
	if len(fb.forced) != 1 || len(fb.reset) != 0 {
		t.Fatalf("asked to force open, sent forced %v reset %v", fb.forced, fb.reset)
	}
}
