package tui

import (
	"fmt"
	"strings"
	"time"
)

// stateInfo is the three lines beside the banner.
func (w Watch) stateInfo(d *data, t *watched) []string {
	st := w.cfg.Styles
	switch {
	case !t.seen && t.err == "":
		return []string{t.name, st.Dim.Render("waiting for the first reading"), ""}
	case t.err != "":
		return []string{t.name, st.Bad.Render("no reading: ") + oneLine(t.err), st.Dim.Render("last reading " + clock(t.at))}
	}
	s := t.snap
	first := fmt.Sprintf("%s · in state %s (since %s)", t.name, since(t.at.Sub(s.StateSince)), clock(s.StateSince))
	second := fmt.Sprintf("trips %d · recoveries %d", s.Trips, s.Recoveries)
	if !s.NextProbe.IsZero() {
		second += fmt.Sprintf(" · next probe %s (in %s)", clock(s.NextProbe), since(s.NextProbe.Sub(t.at)))
	}
	third := st.Dim.Render("last error: none")
	switch {
	case t.detail != "":
		third = t.detail
	case s.LastError != "":
		third = st.Warn.Render("last error: ") + oneLine(s.LastError) + st.Dim.Render(" ("+clock(s.LastErrorAt)+")")
	}
	return []string{first, second, third}
}

func (w Watch) rateText(t *watched) string {
	if !t.rated {
		return "-"
	}
	return fmt.Sprintf("%.1f/s", t.rate)
}

// scaleText says what a full rate bar means.
func (w Watch) scaleText(t *watched, width int) string {
	if width == 0 || len(t.rateLine.cells) == 0 {
		return ""
	}
	return fmt.Sprintf(" █=%.1f/s", t.rateLine.top(width))
}

func (w Watch) errText(t *watched) string {
	if !t.rated {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", t.errPct)
}

// latencyText is p50/p90/p99 over the rolling window when the target sends
// its histogram, else the lifetime percentiles it reports, labelled so.
func (w Watch) latencyText(t *watched) string {
	s := t.snap.Latency
	p, scope := [3]time.Duration{s.P50, s.P90, s.P99}, "since start"
	if t.windowed {
		if t.latN == 0 {
			return w.cfg.Styles.Dim.Render("no replies in the last " + since(w.cfg.Window))
		}
		p, scope = t.lat, fmt.Sprintf("%s, n=%d", since(w.cfg.Window), t.latN)
	}
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s", ms(p[0]), ms(p[1]), ms(p[2])) +
		w.cfg.Styles.Dim.Render(" ("+scope+")")
}

func (w Watch) faultsText(d *data) string {
	st := w.cfg.Styles
	if len(d.faults) == 0 {
		return st.Good.Render("none") + st.Dim.Render(" (f to inject one)")
	}
	parts := make([]string, len(d.faults))
	for i, f := range d.faults {
		parts[i] = st.Bad.Render(f.Name) + st.Dim.Render(fmt.Sprintf(" (%s; hit %d)", f.Detail, f.Injected))
	}
	return strings.Join(parts, ", ")
}
