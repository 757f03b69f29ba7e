package cli

import "github.com/charmbracelet/lipgloss"

// statusStyle colours a status word or mark: green pass/ok, yellow warn,
// red fail/error. The word or mark always says it too, and with
// --no-color or NO_COLOR there is no colour at all.
func statusStyle(g *Global, status string) lipgloss.Style {
	if !g.Color() {
		return lipgloss.NewStyle()
	}
	switch status {
	case "pass", "ok", "CLOSED":
		return lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	case "warn", "HALF_OPEN", "DISABLED":
		return lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	case "fail", "error", "OPEN", "FORCED_OPEN":
		return lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	}
	return lipgloss.NewStyle()
}
