package tui

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// drillDown is the screen of one target: its breaker big, every metric,
// the server panel, its transitions and log, and the fault menu.
type drillDown struct {
	target string
	mode   mode
	filter string // of the transitions and the log
	menu   int
	// asked is the breaker state on screen when o was pressed: the
	// question and the action both follow it, whatever arrives meanwhile.
	asked string
}

func (d drillDown) key(msg tea.KeyMsg, km *KeyMap, faults FaultController) (drillDown, outcome) {
	switch d.mode {
	case modeFilter:
		var typing bool
		d.filter, typing = filterKey(msg, d.filter)
		if !typing {
			d.mode = modeNormal
		}
		return d, outcome{}
	case modeMenu:
		return d.menuKey(msg, km, len(faults.Options())), outcome{}
	case modeConfirm:
		return d.confirmKey(msg, km, faults)
	}
	switch {
	case key.Matches(msg, km.Filter):
		d.mode = modeFilter
	case key.Matches(msg, km.Faults) && faults != nil:
		d.mode, d.menu = modeMenu, 0
	case key.Matches(msg, km.Back):
		return d, outcome{back: true}
	}
	return d, outcome{}
}

func (d drillDown) menuKey(msg tea.KeyMsg, km *KeyMap, n int) drillDown {
	switch {
	case key.Matches(msg, km.Up):
		d.menu = (d.menu + n - 1) % n
	case key.Matches(msg, km.Down):
		d.menu = (d.menu + 1) % n
	case key.Matches(msg, km.Select):
		d.mode = modeConfirm
	case key.Matches(msg, km.Cancel), key.Matches(msg, km.Quit), key.Matches(msg, km.Faults):
		d.mode = modeNormal
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && int(msg.Runes[0]-'1') < n:
		d.menu, d.mode = int(msg.Runes[0]-'1'), modeConfirm
	}
	return d
}

func (d drillDown) confirmKey(msg tea.KeyMsg, km *KeyMap, faults FaultController) (drillDown, outcome) {
	switch {
	case key.Matches(msg, km.Confirm), key.Matches(msg, km.Select):
		opt := faults.Options()[d.menu]
		d.mode = modeNormal
		return d, outcome{cmd: applyFault(faults, opt), note: "applying: " + opt.Label + "…"}
	case key.Matches(msg, km.Cancel), key.Matches(msg, km.Quit):
		d.mode = modeMenu
	}
	return d, outcome{}
}

func applyFault(c FaultController, opt FaultOption) tea.Cmd {
	return func() tea.Msg {
		active, err := c.Apply(opt.ID)
		if err != nil {
			return FaultsMsg{Active: active, Err: fmt.Errorf("%s: %w", opt.Label, err)}
		}
		note := opt.Label + " injected"
		if opt.ID == ClearID {
			note = "every fault removed"
		}
		return FaultsMsg{Active: active, Note: note}
	}
}

// body is the target's breaker and figures, then the server panel.
func (d drillDown) body(w Watch, data *data, width int) []string {
	t := data.find(d.target)
	if t == nil {
		return []string{w.cfg.Styles.Dim.Render(d.target + ": waiting for the first reading")}
	}
	lines := w.breakerLines(data, t, width)
	if t.server != nil {
		return append(lines, w.serverLines(t, width)...)
	}
	return append(lines, w.topologyLines(t.snap, width)...)
}

// rest is the transitions and log of this target, or the fault menu.
func (d drillDown) rest(w Watch, data *data, width, rows int) []string {
	if d.mode == modeMenu || d.mode == modeConfirm {
		return w.menuView(d, width)
	}
	if d.mode == modeBreaker {
		return w.breakerConfirmView(d, width)
	}
	multi := len(data.targets) > 1
	trans := w.transitionView(data, width, rows, d.filter, false, func(e logEntry) bool { return !multi || e.target == d.target })
	return w.withLogPane(trans, data, width, rows, d.filter)
}

// breakerLines are the state banner and every metric of the probe.
func (w Watch) breakerLines(d *data, t *watched, width int) []string {
	st := w.cfg.Styles
	state := t.state()
	info := w.stateInfo(d, t)
	for i := range info {
		info[i] = fit(info[i], max(width-18, 1))
	}
	top := lipgloss.JoinHorizontal(lipgloss.Top, st.StateBanner(state), " ", strings.Join(info, "\n"))
	lines := strings.Split(top, "\n")
	sw := max(width-18, 0)
	s := t.snap
	lines = append(lines,
		w.lab("rate")+fmt.Sprintf("%-10s", w.rateText(t))+st.Note.Render(t.rateLine.spark(max(sw-12, 0), 0))+
			st.Dim.Render(w.scaleText(t, max(sw-12, 0))),
		w.lab("errors")+fmt.Sprintf("%-10s", w.errText(t))+st.Bad.Render(t.errLine.spark(sw, 100)),
		w.lab("latency")+w.latencyText(t)+fmt.Sprintf(" · last ping %s", ms(s.Ping.Latency)),
		w.lab("pool")+fmt.Sprintf("total %d · idle %d · in use %d · timeouts %d",
			s.Pool.Total, s.Pool.Idle, s.Pool.InUse, s.Pool.Timeouts),
		w.lab("refused")+fmt.Sprintf("fail-fast %d (breaker open) · maxclients %d (Redis full)",
			s.Rejected, s.MaxClientsRejections),
		w.lab("retries")+fmt.Sprintf("%d · denied %d · budget %.1f · fallbacks %d",
			s.Retries, s.RetriesDenied, s.RetryTokens, s.Fallbacks),
	)
	if w.cfg.Faults != nil {
		lines = append(lines, w.lab("faults")+w.faultsText(d))
	}
	if forcedState(state) { // say so while an operator's state holds
		held := fmt.Sprintf("%s: %s", state, cmp.Or(s.StateReason, "no reason given"))
		if w.cfg.Breakers != nil {
			held += " · o resets"
		}
		lines = append(lines, w.lab("forced")+st.Warn.Render(fit(held, max(width-18, 1))))
	}
	return lines
}
