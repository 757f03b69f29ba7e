package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// What one screen refresh costs: View is called after every message, and
// watch gets a sample and a server reading per target every second.
func BenchmarkOverviewView(b *testing.B) {
	w := fleetWatchB(b)
	b.ResetTimer()
	for b.Loop() {
		_ = w.View()
	}
}

func BenchmarkDrillDownView(b *testing.B) {
	w := fleetWatchB(b)
	m, _ := w.Update(enter)
	w = m.(Watch)
	b.ResetTimer()
	for b.Loop() {
		_ = w.View()
	}
}

func fleetWatchB(b *testing.B) Watch {
	s := NewStyles(nil)
	w := NewWatch(WatchConfig{Source: "fleet", Targets: fleetTargets, Styles: &s})
	m, _ := w.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	w = m.(Watch)
	for _, msg := range fleet() {
		m, _ = w.Update(msg)
		w = m.(Watch)
	}
	return w
}
