package cli

import (
	"context"
	"errors"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/rescli/rescli/pkg/tui"
)

// runTUI shows the dashboard until q, Ctrl-C, SIGTERM or --duration.
// With -v, logs carries go-redis's log lines to the screen's log pane.
func (o *watchOptions) runTUI(ctx context.Context, src watchSource, logs <-chan tui.LogMsg) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := watchStream(ctx, src, 16)
	r := lipgloss.NewRenderer(o.g.IO.Out)
	if !o.g.Color() {
		r.SetColorProfile(termenv.Ascii)
	}
	styles := tui.NewStyles(r)
	model := tui.NewWatch(tui.WatchConfig{
		Source: src.describe(), Targets: src.targets(), Events: events, Logs: logs,
		Faults: src.faults(), Breakers: breakers(src, o.g.Getenv), Styles: &styles,
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

// watchLogBuffer is how many log lines may wait for the screen; more are
// dropped rather than stall the go-redis goroutine that logs them.
const watchLogBuffer = 256

// captureLogs keeps go-redis's -v lines off the terminal while the TUI owns
// it: they go to the screen's log pane and, when stderr is not a terminal
// (2>>watch.log), to stderr too, every one. stop puts back where they went
// before and closes the channel. Without -v there are none.
func (o *watchOptions) captureLogs() (lines <-chan tui.LogMsg, stop func()) {
	if !o.g.Verbose {
		return nil, func() {}
	}
	var errOut io.Writer
	if !isTerminal(o.g.IO.ErrOut) {
		errOut = o.g.IO.ErrOut
	}
	return captureGoRedisLog(errOut, watchLogBuffer)
}

// captureGoRedisLog redirects go-redis's log lines to a channel of buf
// lines, never blocking, and to errOut unless nil.
func captureGoRedisLog(errOut io.Writer, buf int) (<-chan tui.LogMsg, func()) {
	ch := make(chan tui.LogMsg, buf)
	restore := goRedisLog.redirect(func(line string) {
		if errOut != nil {
			fprintln(errOut, line)
		}
		select {
		case ch <- tui.LogMsg{At: time.Now(), Text: line}:
		default: // the screen is full or gone: the pane keeps only the newest anyway
		}
	})
	return ch, func() {
		restore() // from here on nothing sends on ch
		close(ch)
	}
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
