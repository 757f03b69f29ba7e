package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one column of the overview table.
type column struct {
	head  string
	width int // cells, the gap after it included
	cell  func(w Watch, t *watched) string
	// alarm says the value needs a look (connections refused, memory
	// nearly full): drawn in the alarm colour, the value itself says it.
	alarm func(t *watched) bool
}

// columns are the overview's columns for one screen width; the target's
// name takes what the others leave (at least 10).
type columns struct {
	name int
	cols []column
}

// serverColumn is the first column of the server's figures.
const serverColumn = 3

// stateWidth fits the longest state word (FORCED_OPEN) and a gap.
const stateWidth = 12

func overviewColumns(width int) columns {
	cs := []column{
		{"rate", 8, func(w Watch, t *watched) string { return w.rateText(t) }, nil},
		{"err%", 6, func(w Watch, t *watched) string { return strings.TrimSuffix(w.errText(t), "%") },
			func(t *watched) bool { return t.rated && t.errPct > 0 }},
		{"p99", 7, func(w Watch, t *watched) string { return w.p99(t) }, nil},
		{"clients", 8, func(_ Watch, t *watched) string { return totalsOf(t).clientsText() }, nil},
		{"rej/s", 6, func(_ Watch, t *watched) string { return totalsOf(t).rejectedText() },
			func(t *watched) bool { return totalsOf(t).rejRate > 0 }},
		{"ops/s", 7, func(_ Watch, t *watched) string { return totalsOf(t).opsText() }, nil},
		{"mem", 6, func(_ Watch, t *watched) string { return totalsOf(t).memText() },
			func(t *watched) bool { return totalsOf(t).memPct >= 90 }},
	}
	if width >= 104 { // room for more: the hit ratio, trips, evictions and replication lag
		cs = append(cs,
			column{"hit%", 7, func(_ Watch, t *watched) string { return totalsOf(t).hitText() }, nil},
			column{"evicted", 8, func(_ Watch, t *watched) string { return totalsOf(t).evictedText() },
				func(t *watched) bool { return totalsOf(t).evicted > 0 }},
			column{"lag", 8, func(_ Watch, t *watched) string { return totalsOf(t).lagText() }, nil},
			column{"trips", 6, func(_ Watch, t *watched) string {
				if !t.seen {
					return "-"
				}
				return fmt.Sprint(t.snap.Trips)
			}, nil},
		)
	}
	used := 2 + stateWidth
	for _, c := range cs {
		used += c.width
	}
	return columns{name: min(max(width-used, 10), 40), cols: cs}
}

func (c columns) header() string {
	var b strings.Builder
	b.WriteString("  " + pad("target", c.name) + pad("state", stateWidth))
	for _, col := range c.cols {
		b.WriteString(pad(col.head, col.width))
	}
	return strings.TrimRight(b.String(), " ")
}

// row is one target's line; plain leaves the state word uncoloured (the
// selected row is drawn reversed).
func (c columns) row(w Watch, t *watched, plain bool) string {
	st := w.cfg.Styles
	mark := "  "
	if plain {
		mark = "> " // the cursor is shown without colour too
	}
	state := t.state()
	word := st.StateWord(state)
	if plain {
		word = state
	}
	head := mark + pad(fitText(t.name, c.name-1), c.name) + word + strings.Repeat(" ", max(stateWidth-len(state), 1))
	switch {
	case t.err != "":
		return head + "no reading: " + oneLine(t.err)
	case !t.seen && t.server == nil:
		return head + "waiting for the first reading"
	}
	var b strings.Builder
	b.WriteString(head)
	for i, col := range c.cols {
		if i == serverColumn && t.server == nil && t.seen {
			// a service: rescli does not read its Redis; say what it knows instead
			b.WriteString(w.serviceNote(t, plain))
			break
		}
		cell := pad(fitText(col.cell(w, t), col.width-1), col.width)
		if !plain && col.alarm != nil && col.alarm(t) {
			cell = st.Bad.Render(cell)
		}
		b.WriteString(cell)
	}
	return strings.TrimRight(b.String(), " ")
}

// pad fills s with spaces to width cells (s is not cut).
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-ansi.StringWidth(s), 0))
}

// fitText cuts plain text to width cells.
func fitText(s string, width int) string { return fit(s, max(width, 1)) }

// serviceNote stands in for the server columns of a service: when its
// breaker probes next, or its own detail ("services: 3 pass").
func (w Watch) serviceNote(t *watched, plain bool) string {
	s := t.snap
	note := t.detail
	if !s.NextProbe.IsZero() {
		note = fmt.Sprintf("next probe in %s", since(s.NextProbe.Sub(t.at)))
	}
	if plain {
		return note
	}
	return w.cfg.Styles.Dim.Render(note)
}

func (w Watch) p99(t *watched) string {
	if !t.seen {
		return "-"
	}
	if t.windowed {
		if t.latN == 0 {
			return "-"
		}
		return ms(t.lat[2])
	}
	return ms(t.snap.Latency.P99)
}
