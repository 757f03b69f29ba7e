package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rescli/rescli/pkg/redisstat"
)

// spikesLine is LATENCY LATEST over every node, newest first.
func (w Watch) spikesLine(s *redisstat.Sample) string {
	type spike struct {
		node string
		redisstat.LatencyEvent
	}
	var all []spike
	var denied []string
	for _, n := range s.Nodes {
		for _, e := range n.Latency {
			all = append(all, spike{n.Addr, e})
		}
		if n.LatencyErr != "" {
			denied = append(denied, n.LatencyErr)
		}
	}
	slices.SortFunc(all, func(a, b spike) int { return b.At.Compare(a.At) })
	parts := make([]string, len(all))
	for i, e := range all {
		parts[i] = fmt.Sprintf("%s %s at %s (max %s)", e.Event, ms(e.Latest), clock(e.At), ms(e.Max))
		if len(s.Nodes) > 1 {
			parts[i] = e.node + " " + parts[i]
		}
	}
	return w.lab("spikes") + w.listOrWhy(parts, denied, len(s.Nodes), "none recorded (LATENCY LATEST; needs latency-monitor-threshold)")
}

// slowLine is SLOWLOG GET over every node, slowest first.
func (w Watch) slowLine(s *redisstat.Sample) string {
	type slow struct {
		node string
		redisstat.SlowEntry
	}
	var all []slow
	var denied []string
	for _, n := range s.Nodes {
		for _, e := range n.Slowlog {
			all = append(all, slow{n.Addr, e})
		}
		if n.SlowlogErr != "" {
			denied = append(denied, n.SlowlogErr)
		}
	}
	slices.SortFunc(all, func(a, b slow) int { return cmp.Compare(b.Duration, a.Duration) })
	parts := make([]string, len(all))
	for i, e := range all {
		parts[i] = fmt.Sprintf("%s %s (%s)", e.Command, ms(e.Duration), clock(e.At))
		if len(s.Nodes) > 1 {
			parts[i] = e.node + " " + parts[i]
		}
	}
	return w.lab("slowest") + w.listOrWhy(parts, denied, len(s.Nodes), "none recorded (SLOWLOG GET)")
}

// listOrWhy is the parts, or none when there are none, and why some nodes
// have none to give: "n/a (NOPERM)" when every node refused, else added
// with how many did.
func (w Watch) listOrWhy(parts, denied []string, nodes int, none string) string {
	st := w.cfg.Styles
	if len(denied) > 0 && len(denied) == nodes && len(parts) == 0 {
		return st.Warn.Render(denied[0])
	}
	s := strings.Join(parts, " · ")
	if len(parts) == 0 {
		s = st.Dim.Render(none)
	}
	if len(denied) > 0 {
		s += st.Warn.Render(fmt.Sprintf(" · %s on %d of %d nodes", denied[0], len(denied), nodes))
	}
	return s
}
