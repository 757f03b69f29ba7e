package tui_test

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

// A service shows its own manager's breaker: it feeds a sample every second
// and every transition; the dashboard does the rest.
func ExampleNewWatch() {
	m, err := manager.New(manager.Options{URL: "redis://127.0.0.1:6379"})
	if err != nil {
		return
	}
	defer m.Close()
	events, done := make(chan tea.Msg), make(chan struct{})
	defer close(done)
	send := func(msg tea.Msg) {
		select {
		case events <- msg:
		case <-done:
		}
	}
	go func() {
		sub := m.Subscribe(16)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case t, ok := <-sub.C:
				if !ok {
					return
				}
				send(tui.TransitionMsg{Target: "redis", Transition: t})
			case now := <-tick.C:
				send(tui.SampleMsg{Target: "redis", At: now, Snap: m.Snapshot()})
			case <-done:
				return
			}
		}
	}()
	w := tui.NewWatch(tui.WatchConfig{Source: "redis://127.0.0.1:6379", Targets: []string{"redis"}, Events: events})
	_, _ = tea.NewProgram(w, tea.WithAltScreen()).Run()
}
