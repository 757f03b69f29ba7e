package tui

import (
	"fmt"
	"strings"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/target"
)

// topologyLines show a distributed target: the master a Sentinel target is
// on, or each Cluster node with its role, slots and its own breaker, so a
// dead shard is named while the others stay CLOSED. Nothing for one server.
func (w Watch) topologyLines(s manager.Snapshot, width int) []string {
	st := w.cfg.Styles
	lab := st.Label.Render(fmt.Sprintf("%-8s", "nodes"))
	switch s.Kind {
	case target.Sentinel:
		master := s.Master
		if master == "" {
			master = "unknown yet"
		}
		return []string{fit(lab+"sentinel · master "+master, width)}
	case target.Cluster:
		lines := []string{fit(lab+fmt.Sprintf("cluster · %d nodes, one breaker each", len(s.Nodes)), width)}
		for _, n := range s.Nodes {
			role := n.Role
			switch {
			case n.Role == "master" && len(n.Slots) > 0:
				role += " " + strings.Join(n.Slots, ",")
			case n.Master != "":
				role += " of " + n.Master
			}
			word := n.State.String() // padded by hand: the coloured word carries escape codes
			line := fmt.Sprintf("  %-21s %s%s%s", n.Addr, st.StateWord(word), strings.Repeat(" ", max(10-len(word), 1)), role)
			if n.State != manager.Closed && n.LastError != "" {
				line += st.Dim.Render(" · " + oneLine(n.LastError))
			}
			lines = append(lines, fit(line, width))
		}
		return lines
	}
	return nil
}
