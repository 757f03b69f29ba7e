package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/target"
)

// serverLines are the drill-down's server panel: what Redis itself says,
// beside what the probe sees. One node is a few lines of figures; several
// (Sentinel's master and replicas, every Cluster node) are a table with a
// row per node and, on a Cluster, each node's own breaker. Then the latest
// latency spikes and the slowest commands.
func (w Watch) serverLines(t *watched, width int) []string {
	s := t.server
	if s == nil {
		return nil
	}
	st := w.cfg.Styles
	title := "── server: what Redis says"
	if s.Every > 0 {
		title += " · INFO every " + since(s.Every)
	}
	out := []string{rule(st.Dim.Render(title+" "), width)}
	if s.Err != "" {
		out = append(out, st.Label.Render(fmt.Sprintf("%-8s", "resolve"))+st.Bad.Render(oneLine(s.Err)))
	}
	if s.Kind == target.Sentinel {
		out = append(out, w.sentinelLine(s))
	}
	switch {
	case len(s.Nodes) == 0: // not resolved yet: the resolve line says why
	case len(s.Nodes) == 1 && s.Kind != target.Cluster:
		out = append(out, w.oneNode(s, s.Nodes[0], width)...)
	default:
		out = append(out, w.nodeTable(t, width)...)
	}
	out = append(out, w.spikesLine(s), w.slowLine(s))
	for i := range out {
		out[i] = fit(out[i], width)
	}
	return out
}

func (w Watch) lab(s string) string { return w.cfg.Styles.Label.Render(fmt.Sprintf("%-8s", s)) }

// sentinelLine names the master now and when it last changed.
func (w Watch) sentinelLine(s *redisstat.Sample) string {
	st := w.cfg.Styles
	master := s.Master
	if master == "" {
		master = "unknown yet"
	}
	line := w.lab("master") + master
	if s.MasterSince.IsZero() {
		line += st.Dim.Render(" · unchanged since " + clock(s.Started))
	} else {
		line += st.Warn.Render(fmt.Sprintf(" · since %s (was %s)", clock(s.MasterSince), s.PrevMaster))
	}
	if s.Via != "" {
		line += st.Dim.Render(" · via sentinel " + s.Via)
	}
	return line
}

// oneNode is a single server's figures, wrapped at " · " to the width.
func (w Watch) oneNode(s *redisstat.Sample, n redisstat.Node, width int) []string {
	st := w.cfg.Styles
	if n.Err != "" {
		return []string{w.lab("server") + n.Addr + " " + st.Bad.Render(oneLine(n.Err))}
	}
	rej := fmt.Sprintf("rejected %.1f/s (%d since %s)", n.RejectedRate, n.Rejected, clock(s.Started))
	if n.Rejected < 0 {
		rej = "rejected -"
	}
	if n.Rejected > 0 {
		rej = st.Bad.Render(rej)
	}
	parts := []string{n.Role + " " + n.Addr, fmt.Sprintf("clients %s (%s blocked)", num(n.Clients), num(n.Blocked)), rej,
		"ops " + num(n.OpsPerSec) + "/s", "hit ratio " + percent(n.HitRatio), "memory " + w.memory(n), w.evicted(n), w.replication(n)}
	lines := wrapParts(parts, max(width-8, 10))
	for i := range lines {
		lines[i] = w.lab(map[bool]string{true: "server", false: ""}[i == 0]) + lines[i]
	}
	return lines
}

// wrapParts joins parts with " · " into lines of at most width cells,
// never splitting a part.
func wrapParts(parts []string, width int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case ansi.StringWidth(cur)+3+ansi.StringWidth(p) <= width:
			cur += " · " + p
		default:
			lines, cur = append(lines, cur), p
		}
	}
	return append(lines, cur)
}

func (w Watch) memory(n redisstat.Node) string {
	if n.MaxMemory <= 0 {
		return bytesText(n.UsedMemory) + " (no maxmemory)"
	}
	pct := 100 * float64(n.UsedMemory) / float64(n.MaxMemory)
	s := fmt.Sprintf("%s of %s (%.0f%%)", bytesText(n.UsedMemory), bytesText(n.MaxMemory), pct)
	if pct >= 90 {
		return w.cfg.Styles.Warn.Render(s)
	}
	return s
}

func (w Watch) evicted(n redisstat.Node) string {
	s := "evicted " + num(n.Evicted)
	if n.Evicted > 0 {
		return w.cfg.Styles.Warn.Render(s)
	}
	return s
}

// replication is a master's replicas and their largest lag, or a
// replica's own lag and link.
func (w Watch) replication(n redisstat.Node) string {
	switch {
	case n.LinkDown:
		return w.cfg.Styles.Bad.Render("link to master down")
	case n.Role == "replica" && n.Lag >= 0:
		return "lag " + bytesText(n.Lag)
	case n.Role == "replica":
		return "lag -"
	case n.Replicas > 0:
		return fmt.Sprintf("replicas %d (lag ≤ %s)", n.Replicas, bytesText(n.Lag))
	}
	return "replicas " + num(n.Replicas)
}

// nodeTable is a row per node; a Cluster's row has the node's breaker.
func (w Watch) nodeTable(t *watched, width int) []string {
	st := w.cfg.Styles
	breakers := map[string]manager.NodeSnapshot{}
	for _, n := range t.snap.Nodes {
		breakers[n.Addr] = n
	}
	withBreaker := len(breakers) > 0
	wide := width >= 104
	addrW := 16
	if wide {
		addrW = 22
	}
	head := pad("node", addrW)
	if withBreaker {
		head += pad("breaker", stateWidth-2)
	}
	memW := 7
	if wide {
		memW = 14
	}
	head += pad("role", 8) + pad("clients", 8) + pad("rej/s", 7) + pad("ops/s", 7) + pad("hit%", 7) + pad("memory", memW) + "lag"
	if wide {
		head += "     " + pad("blocked", 8) + "evicted"
	}
	out := []string{st.Label.Render(head)}
	for _, n := range t.server.Nodes {
		line := pad(fitText(n.Addr, addrW-1), addrW)
		if withBreaker {
			word := "-"
			if b, ok := breakers[n.Addr]; ok {
				word = b.State.String()
			}
			line += st.StateWord(word) + strings.Repeat(" ", max(stateWidth-2-len(word), 1))
		}
		line += pad(n.Role, 8)
		if n.Err != "" {
			out = append(out, line+st.Bad.Render(oneLine(n.Err)))
			continue
		}
		rej := pad(fmt.Sprintf("%.1f", n.RejectedRate), 7)
		if n.Rejected < 0 {
			rej = pad("-", 7)
		}
		if n.Rejected > 0 {
			rej = st.Bad.Render(rej)
		}
		mem := bytesText(n.UsedMemory)
		if n.MaxMemory > 0 {
			pct := fmt.Sprintf("%.0f%%", 100*float64(n.UsedMemory)/float64(n.MaxMemory))
			mem = map[bool]string{true: mem + " (" + pct + ")", false: pct}[wide]
		}
		lag := "-"
		switch {
		case n.LinkDown:
			lag = st.Bad.Render("down")
		case n.Role == "replica" && n.Lag >= 0:
			lag = bytesText(n.Lag)
		}
		line += pad(num(n.Clients), 8) + rej + pad(num(n.OpsPerSec), 7) + pad(percent(n.HitRatio), 7) + pad(fitText(mem, memW-1), memW) + pad(lag, 8)
		if wide {
			line += pad(num(n.Blocked), 8) + num(n.Evicted)
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// num is a gauge, "-" when the server did not report it.
func num(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
