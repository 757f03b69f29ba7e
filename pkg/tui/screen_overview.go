package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// overview is the screen of every target: a row each with its state and
// key figures, a cursor, a filter, and every target's transitions below.
type overview struct {
	// name is the target under the cursor: the cursor stays on it while
	// targets arrive or the filter changes.
	name   string
	filter string
	typing bool
}

// visible are the targets whose name matches the filter.
func (o overview) visible(d *data) []*watched {
	var out []*watched
	for _, t := range d.targets {
		if contains(t.name, o.filter) {
			out = append(out, t)
		}
	}
	return out
}

// cursor is the row of the target under the cursor (the first when it is
// filtered out or gone).
func (o overview) cursor(vis []*watched) int {
	for i, t := range vis {
		if t.name == o.name {
			return i
		}
	}
	return 0
}

func (o overview) key(msg tea.KeyMsg, km *KeyMap, vis []*watched) (overview, outcome) {
	if o.typing {
		o.filter, o.typing = filterKey(msg, o.filter)
		return o, outcome{}
	}
	i := o.cursor(vis)
	switch {
	case len(vis) > 0 && key.Matches(msg, km.Up):
		o.name = vis[(i+len(vis)-1)%len(vis)].name
	case len(vis) > 0 && key.Matches(msg, km.Down):
		o.name = vis[(i+1)%len(vis)].name
	case len(vis) > 0 && key.Matches(msg, km.Select):
		return o, outcome{open: vis[i].name}
	case key.Matches(msg, km.Filter):
		o.typing = true
	case key.Matches(msg, km.Back):
		o.filter = ""
	}
	return o, outcome{}
}

// filterKey edits a filter being typed: enter keeps it, esc clears it.
func filterKey(msg tea.KeyMsg, filter string) (string, bool) {
	switch msg.Type {
	case tea.KeyEsc:
		return "", false
	case tea.KeyEnter:
		return filter, false
	case tea.KeyBackspace:
		if r := []rune(filter); len(r) > 0 {
			filter = string(r[:len(r)-1])
		}
	case tea.KeyRunes, tea.KeySpace:
		filter += string(msg.Runes)
	}
	return filter, true
}

// view is the table of targets, as many rows as fit around the cursor,
// then the transitions of every target shown.
func (o overview) view(w Watch, d *data, width, rows int) []string {
	st := w.cfg.Styles
	vis := o.visible(d)
	cols := overviewColumns(width)
	out := []string{rule(st.Dim.Render("── "+stateCounts(vis)+" "), width), st.Label.Render(cols.header())}
	if len(vis) == 0 {
		msg := "waiting for the first reading"
		if len(d.targets) > 0 {
			msg = "no target matches the filter"
		}
		out = append(out, st.Dim.Render(msg))
	}
	// the table takes up to two thirds of the rows; the transitions the rest
	fit := max(min(len(vis), rows-len(out)-3, max((rows-len(out))*2/3, 3)), 1)
	cur := o.cursor(vis)
	first := max(0, min(cur-fit+1, len(vis)-fit))
	for i := first; i < min(first+fit, len(vis)); i++ {
		if i == cur { // plain inside the reverse bar: the word still says the state
			out = append(out, st.MenuSelected.Render(pad(cols.row(w, vis[i], true), width)))
			continue
		}
		out = append(out, cols.row(w, vis[i], false))
	}
	if hidden := len(vis) - fit; hidden > 0 {
		out = append(out, st.Dim.Render(fmt.Sprintf("  %d more: ↑/↓ scroll, / filter", hidden)))
	}
	names := map[string]bool{}
	for _, t := range vis {
		names[t.name] = true
	}
	log := w.transitionView(d, width, rows-len(out), o.filter, true, func(e logEntry) bool { return names[e.target] })
	return append(out, log...)
}

// stateCounts heads the table: "3 targets: 2 CLOSED, 1 OPEN".
func stateCounts(ts []*watched) string {
	n := map[string]int{}
	var order []string
	for _, t := range ts {
		s := t.state()
		if n[s] == 0 {
			order = append(order, s)
		}
		n[s]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%d %s", n[s], s)
	}
	noun := "targets"
	if len(ts) == 1 {
		noun = "target"
	}
	head := fmt.Sprintf("%d %s", len(ts), noun)
	if len(parts) > 0 {
		head += ": " + strings.Join(parts, ", ")
	}
	return head
}
