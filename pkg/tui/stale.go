package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// tickMsg is the once-a-second check for a stalled feed.
type tickMsg struct{}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

// staleFor is how long no data arrived, when that is longer than
// StaleAfter; 0 otherwise.
func (w Watch) staleFor() time.Duration {
	if w.cfg.StaleAfter < 0 || w.lastData.IsZero() || w.wall.IsZero() {
		return 0
	}
	if d := w.wall.Sub(w.lastData); d > w.cfg.StaleAfter {
		return d
	}
	return 0
}

func (w Watch) staleBadge() string {
	d := w.staleFor()
	if d == 0 {
		return ""
	}
	return w.cfg.Styles.Bad.Render(fmt.Sprintf("STALE: no data for %s", since(d))) + " "
}
