package chaos

import (
	"context"
	"time"
)

func init() { Register("timeout", func() Fault { return &Timeout{} }) }

// Timeout swallows every byte of its direction and closes the connection
// Timeout milliseconds (up to a day) after the fault began acting on it; 0
// holds it open forever (a blackhole). Unlike Toxiproxy's, the timer runs from that
// moment and is not restarted by each chunk.
type Timeout struct {
	Timeout int64 `json:"timeout"`
}

// Validate implements Fault.
func (f *Timeout) Validate() error { return nil }

// Pipe implements ByteFault: data is dropped while the fault is set.
func (f *Timeout) Pipe(_ *Stream, c Chunk, next func(Chunk) error) error {
	if c.EOF {
		return next(c)
	}
	return nil
}

// Run implements ConnFault: the one timer of this connection.
func (f *Timeout) Run(ctx context.Context, s *Stream) {
	if f.Timeout == 0 {
		return
	}
	select {
	case <-s.c.p.opts.clock.After(time.Duration(f.Timeout) * time.Millisecond):
		s.Close()
	case <-ctx.Done():
	}
}
