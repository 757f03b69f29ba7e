package chaos

import (
	"context"
	"time"
)

func init() { Register("restart", func() Fault { return &Restart{} }) }

// Restart plays a Redis restart once, when it is set: every connection is
// dropped, connections are refused for Refuse milliseconds, then every
// request is answered with -LOADING for Loading milliseconds (each 0 to a
// day), then the proxy recovers. Update the fault to play it again.
type Restart struct {
	Refuse  int64 `json:"refuse"`
	Loading int64 `json:"loading"`
}

// Validate implements Fault.
func (f *Restart) Validate() error { return nil }

// Run implements ProxyFault.
func (f *Restart) Run(ctx context.Context, p *Control) {
	_ = p.Down(true)
	ok := p.Wait(ctx, time.Duration(f.Refuse)*time.Millisecond)
	_ = p.Down(false)
	if !ok {
		return
	}
	p.Loading(true)
	p.Wait(ctx, time.Duration(f.Loading)*time.Millisecond)
	p.Loading(false)
}
