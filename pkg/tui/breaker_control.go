package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// BreakerController forces a watched service's breaker open and resets it
// (watch --service: the service's POST /admin/breaker).
type BreakerController interface {
	// ForceOpen forces target's breaker open; it returns the reason it
	// gave the service.
	ForceOpen(target string) (reason string, err error)
	// Reset closes target's breaker again.
	Reset(target string) error
}

// BreakerMsg is what a BreakerController call did.
type BreakerMsg struct {
	Note string
	Err  error
}

// breakerKey starts (o, with the state on screen) or answers (y, esc) the
// confirmation of forcing the target's breaker open, or of resetting it
// when it is forced.
func (d drillDown) breakerKey(msg tea.KeyMsg, km *KeyMap, c BreakerController, shown string) (drillDown, outcome) {
	if d.mode != modeBreaker {
		d.mode, d.asked = modeBreaker, shown
		return d, outcome{}
	}
	switch {
	case key.Matches(msg, km.Confirm), key.Matches(msg, km.Select):
		d.mode = modeNormal
		if forcedState(d.asked) {
			return d, outcome{cmd: resetBreaker(c, d.target), note: "resetting " + d.target + "…"}
		}
		return d, outcome{cmd: forceOpen(c, d.target), note: "forcing " + d.target + " open…"}
	case key.Matches(msg, km.Cancel), key.Matches(msg, km.Quit), key.Matches(msg, km.ForceOpen):
		d.mode = modeNormal
	}
	return d, outcome{}
}

func forcedState(state string) bool { return state == "FORCED_OPEN" || state == "DISABLED" }

func forceOpen(c BreakerController, target string) tea.Cmd {
	return func() tea.Msg {
		reason, err := c.ForceOpen(target)
		if err != nil {
			return BreakerMsg{Err: fmt.Errorf("force %s open: %w", target, err)}
		}
		return BreakerMsg{Note: fmt.Sprintf("%s FORCED_OPEN (%s): o resets it", target, reason)}
	}
}

func resetBreaker(c BreakerController, target string) tea.Cmd {
	return func() tea.Msg {
		if err := c.Reset(target); err != nil {
			return BreakerMsg{Err: fmt.Errorf("reset %s: %w", target, err)}
		}
		return BreakerMsg{Note: target + " reset: its breaker decides again"}
	}
}

// breakerConfirmView asks before the breaker is forced open or reset.
func (w Watch) breakerConfirmView(d drillDown, width int) []string {
	st := w.cfg.Styles
	q := fmt.Sprintf("Force %s's breaker OPEN? Every call of the service fails fast (its fallbacks run) until you reset it.", d.target)
	if forcedState(d.asked) {
		q = fmt.Sprintf("Reset %s's breaker (%s now)? It goes back to CLOSED and decides on its own again.", d.target, d.asked)
	}
	return []string{
		rule(st.Dim.Render("── confirm "), width),
		st.Warn.Render(fit(q, width)),
		st.Dim.Render("y to confirm · esc to go back"),
	}
}
