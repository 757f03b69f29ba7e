package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/rescli/rescli/pkg/herd"
)

// renderHerd prints one column per strategy and a verdict line.
func renderHerd(g *Global, rep *herd.Report) error {
	w := g.IO.Out
	limit := "none (the server's own)"
	if rep.MaxClients > 0 {
		limit = fmt.Sprint(rep.MaxClients)
	}
	processes := ""
	if n := rep.Simulator.Processes; n > 1 {
		processes = fmt.Sprintf(" · merged from %d processes", n)
	}
	fmt.Fprintf(w, "target: %s · %d services · %d replica(s) · maxclients %s · seed %d%s\n\n",
		rep.Target, rep.Services, rep.Replicas, limit, rep.Seed, processes)
	header := []string{""}
	for _, s := range rep.Strategies {
		header = append(header, s.Name)
	}
	t := newTable(w, header...)
	rows := []struct {
		name string
		cell func(herd.Result) string
	}{
		{"services ready", func(r herd.Result) string { return fmt.Sprintf("%d/%d", r.Ready, rep.Services) }},
		{"degraded", func(r herd.Result) string { return fmt.Sprint(r.Degraded) }},
		{"failed", func(r herd.Result) string { return fmt.Sprint(r.Failed) }},
		{"peak connections", func(r herd.Result) string {
			if r.Server != nil { // the server's own count, sampled: the cross-check
				return fmt.Sprintf("%d (server saw %d)", r.PeakConnections, r.Server.PeakClients)
			}
			return fmt.Sprint(r.PeakConnections)
		}},
		{"rejected (maxclients)", func(r herd.Result) string { return fmt.Sprint(r.RejectedConnections) }},
		{"connection attempts", func(r herd.Result) string { return fmt.Sprint(r.ConnectionAttempts) }},
		{"commands sent", func(r herd.Result) string { return fmt.Sprint(r.Commands) }},
		{"retries", func(r herd.Result) string { return fmt.Sprint(r.Retries) }},
		{"errors", func(r herd.Result) string { return errorsCell(r.Errors) }},
		{"start-up p50/p95/p99", func(r herd.Result) string {
			return fmt.Sprintf("%s/%s/%s", ms(r.StartupMS.P50), ms(r.StartupMS.P95), ms(r.StartupMS.P99))
		}},
		{"start-up max", func(r herd.Result) string { return ms(r.StartupMS.Max) }},
		{"all ready after", func(r herd.Result) string {
			if r.AllReadyMS == nil {
				return "never"
			}
			return ms(*r.AllReadyMS)
		}},
		{"wall time", func(r herd.Result) string { return ms(r.WallMS) }},
		{"simulator", func(r herd.Result) string { return loadCell(r.Simulator) }},
	}
	for _, row := range rows {
		cells := []string{row.name}
		for _, r := range rep.Strategies {
			cells = append(cells, row.cell(r))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	printVerdict(w, g, rep)
	return nil
}

// loadCell says in a few words whether the simulator kept up.
func loadCell(l herd.Load) string {
	state := "ok"
	if l.Saturated {
		state = "SATURATED"
	}
	cell := fmt.Sprintf("%s · CPU %.0f%% of %d, late %.0fms", state, l.CPUPercent, l.Cores, max(l.TickLateP99MS, l.RunQueueP99MS))
	if l.Processes > 1 {
		cell = fmt.Sprintf("%s · %d processes, max CPU %.0f%% of %d", state, l.Processes, l.CPUPercent, l.Cores)
	}
	return cell
}

func errorsCell(m map[string]int64) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func ms(v int64) string {
	if v >= 1000 {
		return (time.Duration(v) * time.Millisecond).Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("%dms", v)
}

// printVerdict names the herd in one line per strategy: the state is in
// words (colour only repeats it).
func printVerdict(w io.Writer, g *Global, rep *herd.Report) {
	bad := lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	good := lipgloss.NewStyle().Foreground(lipgloss.Color("10")).Bold(true)
	if !g.Color() {
		bad, good = lipgloss.NewStyle(), lipgloss.NewStyle()
	}
	var parts []string
	for _, r := range rep.Strategies {
		switch {
		case r.Failed > 0 || r.RejectedConnections > 0:
			parts = append(parts, bad.Render(fmt.Sprintf("%s: HERD — %d connections rejected, %d services failed to start (peak %d connections)",
				r.Name, r.RejectedConnections, r.Failed, r.PeakConnections)))
		default:
			msg := fmt.Sprintf("%s: OK — peak %d connections, 0 rejected, all %d ready", r.Name, r.PeakConnections, r.Ready+r.Degraded)
			if r.Degraded > 0 {
				msg += fmt.Sprintf(" (%d degraded)", r.Degraded)
			}
			parts = append(parts, good.Render(msg))
		}
	}
	fmt.Fprintln(w, "verdict: "+strings.Join(parts, "; "))
	if l := rep.Simulator; l.Saturated {
		fmt.Fprintln(w, bad.Render("simulator: SATURATED ("+l.Reason+")")+
			": these numbers describe this machine, not the strategy; run fewer services per process, or split the herd "+
			"over processes or pods (--replica-index I --replicas N --start-at T, then rescli herd merge)")
	}
}
