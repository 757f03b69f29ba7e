package chaos

import (
	"context"
	"time"
)

func init() { Register("reset_peer", func() Fault { return &ResetPeer{} }) }

// ResetPeer resets the connection with a TCP RST ("connection reset by
// peer") Timeout milliseconds (0 to a day) after the fault began acting on
// it.
type ResetPeer struct {
	Timeout int64 `json:"timeout"`
}

// Validate implements Fault.
func (f *ResetPeer) Validate() error { return nil }

// Run implements ConnFault.
func (f *ResetPeer) Run(ctx context.Context, s *Stream) {
	select {
	case <-s.c.p.opts.clock.After(time.Duration(f.Timeout) * time.Millisecond):
		s.Reset()
	case <-ctx.Done():
	}
}
