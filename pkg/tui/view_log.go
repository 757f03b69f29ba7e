package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/rescli/rescli/pkg/manager"
)

// withLogPane adds, once a log line arrived, the log pane below the
// transitions in rows lines. The transitions keep at least half the rows,
// so that a chatty logger never hides them.
func (w Watch) withLogPane(trans []string, d *data, width, rows int, filter string) []string {
	if len(d.lines) == 0 || rows < 4 {
		return trans
	}
	pane := w.linesView(d, width, rows, filter)
	n := min(len(pane), max(rows-len(trans), rows/2))
	return append(trans[:min(len(trans), rows-n)], pane[:n]...)
}

// transitionView is the transitions keep lets through and the filter
// matches, newest first, in rows lines at most; multi names each one's
// target.
func (w Watch) transitionView(d *data, width, rows int, filter string, multi bool, keep func(logEntry) bool) []string {
	st := w.cfg.Styles
	title := "transitions, newest first"
	if filter != "" {
		title += fmt.Sprintf(" · filter %q", filter)
	}
	out := []string{rule(st.Dim.Render("── "+title+" "), width)}
	kept := 0
	for i := len(d.log) - 1; i >= 0 && len(out) < rows; i-- {
		e := d.log[i]
		if !keep(e) {
			continue
		}
		kept++
		if contains(e.text(), filter) {
			out = append(out, w.logLine(e, multi))
		}
	}
	if len(out) == 1 {
		msg := "no transitions yet"
		if kept > 0 {
			msg = "no transition matches the filter"
		}
		out = append(out, st.Dim.Render(msg))
	}
	return out
}

// linesView is the log pane, newest first, filtered, in rows lines at most.
func (w Watch) linesView(d *data, width, rows int, filter string) []string {
	st := w.cfg.Styles
	out := []string{rule(st.Dim.Render("── log, newest first "), width)}
	for i := len(d.lines) - 1; i >= 0 && len(out) < rows; i-- {
		if l := d.lines[i]; contains(l.Text, filter) {
			out = append(out, w.wrapLine(l, width)...)
		}
	}
	if len(out) == 1 {
		out = append(out, st.Dim.Render("no log line matches the filter"))
	}
	return out
}

// logIndent lines a wrapped log line up under its text, past the clock.
const logIndent = "         "

// wrapLine is a log line on at most three rows, since the cause of a
// library's error is usually at its end: "12:03:41 go-redis: redis:
// connection pool: failed to dial after 1 attempts: dial tcp …: connection
// refused ×12".
func (w Watch) wrapLine(l logLine, width int) []string {
	st := w.cfg.Styles
	text := oneLine(l.Text)
	if l.n > 1 {
		text += st.Dim.Render(fmt.Sprintf(" ×%d", l.n))
	}
	rows := strings.Split(ansi.Wrap(text, width-len(logIndent), ""), "\n")
	if len(rows) > 3 {
		rows = append(rows[:2], fit(strings.Join(rows[2:], " "), width-len(logIndent)))
	}
	for i := range rows {
		prefix := logIndent
		if i == 0 {
			prefix = st.Dim.Render(clock(l.At)) + " "
		}
		rows[i] = prefix + rows[i]
	}
	return rows
}

// logLine reads e.g. "12:03:41 CLOSED → OPEN after 5 consecutive failures:
// dial tcp: connection refused · probe in 5s".
func (w Watch) logLine(e logEntry, multi bool) string {
	st := w.cfg.Styles
	var b strings.Builder
	b.WriteString(st.Dim.Render(clock(e.t.At)) + " ")
	if multi {
		b.WriteString(st.Title.Render(e.target) + " ")
	}
	if e.t.Node != "" { // a Cluster node's own breaker
		b.WriteString(st.Title.Render(e.t.Node) + " ")
	}
	b.WriteString(st.StateWord(e.t.From.String()) + " → " + st.StateWord(e.t.To.String()) + " ")
	b.WriteString(Reason(e.t))
	if e.t.OpenFor > 0 {
		b.WriteString(st.Dim.Render(" · probe in " + since(e.t.OpenFor.Round(time.Second))))
	}
	return b.String()
}

// Reason says why a transition happened, for a log line: "after 5
// consecutive failures: dial tcp …: connection refused". The failure is
// named only when it opened the breaker.
func Reason(t manager.Transition) string {
	r := t.Reason
	if r != "" && r[0] >= '0' && r[0] <= '9' {
		r = "after " + r
	}
	if t.Err != "" && t.To == manager.Open && !strings.Contains(r, t.Err) {
		r += ": " + oneLine(t.Err)
	}
	return r
}

// rule pads a section title with a line to the full width.
func rule(title string, width int) string {
	n := width - ansi.StringWidth(title)
	if n <= 0 {
		return title
	}
	return title + strings.Repeat("─", n)
}
