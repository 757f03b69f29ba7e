package cli

import (
	"context"

	"github.com/rescli/rescli/pkg/tui"
)

// runPlain is watch without a terminal: a line (or NDJSON event) per
// transition and a summary per target every --summary, the first one as
// soon as the target was read, and a last one at the end; with each
// summary, what the server said (a line per node, or a server event).
func (o *watchOptions) runPlain(ctx context.Context, src watchSource) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := watchStream(ctx, src, 64)
	p := newWatchPrinter(o.g, o.summary)
	p.start(src.describe())
	for msg := range events {
		switch msg := msg.(type) {
		case tui.TransitionMsg:
			p.transition(msg)
		case tui.SampleMsg:
			p.sample(msg)
		case tui.ServerMsg:
			p.server(msg)
		}
		if p.err != nil {
			cancel() // the reader went away: stop, and drain what is in flight
		}
	}
	p.flush()
	return p.err
}
