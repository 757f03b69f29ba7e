package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// minWidth is the narrowest width the screen is laid out for.
const minWidth = 20

// View renders the screen shown: the header, the screen's body (the table
// of targets, or one target's figures), its rest (transitions, log, fault
// menu), a note line and the help bar, which is always the last line.
// Every line fits the width; the whole fits the height.
func (w Watch) View() string {
	d := w.shown()
	width := max(w.width, minWidth)
	head := []string{w.header(d, width)}
	foot := w.footer()
	var body, mid []string
	rest := w.height - len(head) - len(foot)
	if w.drilled {
		body = w.dt.body(w, d, width)
		mid = w.dt.rest(w, d, width, rest-len(body))
	} else {
		mid = w.ov.view(w, d, width, rest)
	}
	for len(body)+len(mid) < rest {
		mid = append(mid, "")
	}
	// Too short for everything: the log or menu, then the body, then the
	// header, then the note line give way; the help bar stays.
	over := len(head) + len(body) + len(mid) + len(foot) - w.height
	cut := func(s []string) []string {
		n := min(max(over, 0), len(s))
		over -= n
		return s[:len(s)-n]
	}
	mid, body, head = cut(mid), cut(body), cut(head)
	if over > 0 {
		foot = foot[min(over, len(foot)-1):]
	}
	lines := append(append(append(head, body...), mid...), foot...)
	for i, l := range lines {
		lines[i] = fit(l, width)
	}
	return strings.Join(lines, "\n")
}

func (w Watch) header(d *data, width int) string {
	st := w.cfg.Styles
	left := st.Title.Render(w.cfg.Title)
	if w.cfg.Source != "" {
		left += st.Dim.Render(" · " + w.cfg.Source)
	}
	right := w.staleBadge() + clock(d.now)
	if w.frozen != nil {
		right = st.Paused.Render(" PAUSED ") + " " + right
	}
	// the clock, STALE and PAUSED stay; a long source gives way
	left = fit(left, max(width-ansi.StringWidth(right)-1, 1))
	return spread(left, right, width)
}

// footer is the note or filter line and the help bar.
func (w Watch) footer() []string {
	st := w.cfg.Styles
	var out []string
	filter := w.ov.filter
	if w.drilled {
		filter = w.dt.filter
	}
	switch {
	case w.screenMode() == modeFilter:
		out = append(out, st.Note.Render("filter: ")+filter+"█")
	case w.note != "" && w.bad:
		out = append(out, st.Bad.Render("error: ")+oneLine(w.note))
	case w.note != "":
		out = append(out, st.Note.Render(oneLine(w.note)))
	default:
		out = append(out, "")
	}
	keys := helpKeys{km: *w.cfg.Keys, faults: w.cfg.Faults != nil, overview: !w.drilled, mode: w.screenMode()}
	if w.help.ShowAll && w.screenMode() == modeNormal {
		out = append(out, st.StateWord("CLOSED")+" ok · "+st.StateWord("OPEN")+" failing fast · "+
			st.StateWord("HALF_OPEN")+" probing · "+st.StateWord("UNKNOWN")+" no reading")
	}
	return append(out, strings.Split(w.help.View(keys), "\n")...)
}
