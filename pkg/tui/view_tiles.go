package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
)

// minTile is the narrowest tile, borders included; at 80 columns two fit.
const minTile = 38

// tiles is the many-targets layout, like the Hystrix dashboard: one tile
// per target, as many per row as the width allows.
func (w Watch) tiles(d *data, ts []*watched, width int) []string {
	if len(ts) == 0 {
		return []string{w.cfg.Styles.Dim.Render("waiting for the first reading")}
	}
	cols := max(1, (width+1)/(minTile+1))
	tw := min((width-(cols-1))/cols, 60)
	var rows []string
	for i := 0; i < len(ts); i += cols {
		var row []string
		for j := i; j < min(i+cols, len(ts)); j++ {
			if j > i {
				row = append(row, " ")
			}
			row = append(row, w.tile(ts[j], tw))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Split(strings.Join(rows, "\n"), "\n")
}

// tile is one target in tw columns, its border in the state's colour and
// its state written in the first line.
func (w Watch) tile(t *watched, tw int) string {
	st := w.cfg.Styles
	inner := max(tw-4, 8)
	state := t.state()
	s := t.snap
	lines := []string{st.Title.Render(t.name)}
	switch {
	case t.err != "":
		lines = append(lines, st.StateWord(state)+st.Dim.Render(" since "+clock(t.at)),
			st.Bad.Render("no reading: ")+oneLine(t.err), "", "", "")
	case !t.seen:
		lines = append(lines, st.StateWord(state), st.Dim.Render("waiting for the first reading"), "", "", "")
	default:
		probe := st.Dim.Render("last error: none")
		switch {
		case !s.NextProbe.IsZero():
			probe = fmt.Sprintf("next probe %s (in %s)", clock(s.NextProbe), since(s.NextProbe.Sub(t.at)))
		case s.LastError != "":
			probe = st.Warn.Render("last error: ") + oneLine(s.LastError)
		}
		sw := max(inner-24, 0)
		lines = append(lines,
			st.StateWord(state)+fmt.Sprintf(" for %s · trips %d", since(t.at.Sub(s.StateSince)), s.Trips),
			fmt.Sprintf("%-8s err %-6s ", w.rateText(t), w.errText(t))+st.Bad.Render(t.errLine.spark(sw, 100)),
			"p50/90/99 "+w.latencyShort(t),
			fmt.Sprintf("pool %d/%d idle · fallbacks %d", s.Pool.Idle, s.Pool.Total, s.Fallbacks),
			probe)
	}
	if t.detail != "" {
		lines = append(lines, st.Dim.Render(t.detail))
	} else {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fit(l, inner)
	}
	return st.Tile.BorderForeground(st.color(state)).Width(tw - 2).Render(strings.Join(lines, "\n"))
}

func (w Watch) latencyShort(t *watched) string {
	s := t.snap.Latency
	p := [3]time.Duration{s.P50, s.P90, s.P99}
	if t.windowed {
		p = t.lat
	}
	return fmt.Sprintf("%s %s %s", ms(p[0]), ms(p[1]), ms(p[2]))
}
