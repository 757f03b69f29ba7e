package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// minWidth is the narrowest width the screen is laid out for.
const minWidth = 20

// View renders the screen: header, the breaker(s), the transition log or
// the fault menu, a note line and the help bar, which is always the last
// line. Every line fits the width; the whole fits the height.
func (w Watch) View() string {
	d := w.live
	if w.frozen != nil {
		d = w.frozen
	}
	width := max(w.width, minWidth)
	head := []string{w.header(d, width)}
	var body []string
	if ts := w.visible(d); len(d.targets) <= 1 && len(ts) == 1 {
		body = w.detail(d, ts[0], width)
	} else {
		body = w.tiles(d, ts, width)
	}
	foot := w.footer()
	rest := w.height - len(head) - len(body) - len(foot)
	var mid []string
	if w.mode == modeMenu || w.mode == modeConfirm {
		mid = w.menuView(width)
	} else {
		mid = w.logView(d, width, rest)
	}
	for len(mid) < rest {
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

// visible are the targets the filter lets through (all when it matches
// none of their names, so that a filter meant for the log hides nothing).
func (w Watch) visible(d *data) []*watched {
	var out []*watched
	for _, t := range d.targets {
		if contains(t.name, w.filter) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return d.targets
	}
	return out
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

// detail is the one-target layout: the state banner and every metric.
func (w Watch) detail(d *data, t *watched, width int) []string {
	st := w.cfg.Styles
	state := t.state()
	info := w.stateInfo(d, t)
	for i := range info {
		info[i] = fit(info[i], max(width-18, 1))
	}
	top := lipgloss.JoinHorizontal(lipgloss.Top, st.StateBanner(state), " ", strings.Join(info, "\n"))
	lines := strings.Split(top, "\n")
	lab := func(s string) string { return st.Label.Render(fmt.Sprintf("%-8s", s)) }
	sw := max(width-18, 0)
	s := t.snap
	lines = append(lines,
		lab("rate")+fmt.Sprintf("%-10s", w.rateText(t))+st.Note.Render(t.rateLine.spark(max(sw-12, 0), 0))+
			st.Dim.Render(w.scaleText(t, max(sw-12, 0))),
		lab("errors")+fmt.Sprintf("%-10s", w.errText(t))+st.Bad.Render(t.errLine.spark(sw, 100)),
		lab("latency")+w.latencyText(t)+fmt.Sprintf(" · last ping %s", ms(s.Ping.Latency)),
		lab("pool")+fmt.Sprintf("total %d · idle %d · in use %d · timeouts %d",
			s.Pool.Total, s.Pool.Idle, s.Pool.InUse, s.Pool.Timeouts),
		lab("refused")+fmt.Sprintf("fail-fast %d (breaker open) · maxclients %d (Redis full)",
			s.Rejected, s.MaxClientsRejections),
		lab("retries")+fmt.Sprintf("%d · denied %d · budget %.1f · fallbacks %d",
			s.Retries, s.RetriesDenied, s.RetryTokens, s.Fallbacks),
	)
	if w.cfg.Faults != nil {
		lines = append(lines, lab("faults")+w.faultsText(d))
	}
	return append(lines, w.topologyLines(s, width)...)
}

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

// footer is the note or filter line and the help bar.
func (w Watch) footer() []string {
	st := w.cfg.Styles
	var out []string
	switch {
	case w.mode == modeFilter:
		out = append(out, st.Note.Render("filter: ")+w.filter+"█")
	case w.note != "" && w.bad:
		out = append(out, st.Bad.Render("error: ")+oneLine(w.note))
	case w.note != "":
		out = append(out, st.Note.Render(oneLine(w.note)))
	default:
		out = append(out, "")
	}
	keys := helpKeys{km: *w.cfg.Keys, faults: w.cfg.Faults != nil, mode: w.mode}
	if w.help.ShowAll && w.mode == modeNormal {
		out = append(out, st.StateWord("CLOSED")+" ok · "+st.StateWord("OPEN")+" failing fast · "+
			st.StateWord("HALF_OPEN")+" probing · "+st.StateWord("UNKNOWN")+" no reading")
	}
	return append(out, strings.Split(w.help.View(keys), "\n")...)
}
