package chaos

import (
	"context"
	"time"
)

func init() {
	Register("down", func() Fault { return &Down{} })
	Register("slow_accept", func() Fault { return &SlowAccept{} })
}

// Down closes the proxy's listener (clients get ECONNREFUSED) and drops
// every open connection for as long as it is set.
type Down struct{}

// Validate implements Fault.
func (*Down) Validate() error { return nil }

// Run implements ProxyFault.
func (*Down) Run(ctx context.Context, p *Control) {
	_ = p.Down(true)
	<-ctx.Done()
	_ = p.Down(false)
}

// SlowAccept waits Delay milliseconds (0 to a day) before accepting each
// connection, so that the kernel backlog fills as in front of an
// overloaded server.
type SlowAccept struct {
	Delay int64 `json:"delay"`
}

// Validate implements Fault.
func (f *SlowAccept) Validate() error { return nil }

// Admit implements AcceptFault: it never turns a connection away.
func (*SlowAccept) Admit(int64) []byte { return nil }

// AcceptDelay implements AcceptFault.
func (f *SlowAccept) AcceptDelay() time.Duration { return time.Duration(f.Delay) * time.Millisecond }
