package cli

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/rescli/rescli/pkg/tui"
)

// runTUI shows the dashboard until q, Ctrl-C, SIGTERM or --duration.
func (o *watchOptions) runTUI(ctx context.Context, src watchSource) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := watchStream(ctx, src, 16)
	r := lipgloss.NewRenderer(o.g.IO.Out)
	if !o.g.Color() {
		r.SetColorProfile(termenv.Ascii)
	}
	styles := tui.NewStyles(r)
	model := tui.NewWatch(tui.WatchConfig{
		Source: src.describe(), Targets: src.targets(), Events: events,
		Faults: src.faults(), Styles: &styles,
		// a feed is late after a few refreshes and a slow poll or two
		StaleAfter: max(5*time.Second, 3*o.refresh+2*o.timeout),
	})
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(o.g.IO.Out), tea.WithAltScreen()}
	if o.g.IO.In != nil {
		opts = append(opts, tea.WithInput(o.g.IO.In))
	}
	_, err := tea.NewProgram(model, opts...).Run()
	cancel()
	for range events { // wait for src.run to return
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // --duration ran out
	}
	if errors.Is(err, tea.ErrInterrupted) {
		return nil
	}
	return err
}

// watchStream runs src until ctx is done and returns its events; the
// channel is closed once src.run has returned.
func watchStream(ctx context.Context, src watchSource, buf int) <-chan tea.Msg {
	events := make(chan tea.Msg, buf)
	go func() {
		defer close(events)
		src.run(ctx, func(msg tea.Msg) bool {
			select {
			case events <- msg:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return events
}
