package chaos

import (
	"context"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"
)

// Direction is the way bytes flow through a proxy.
type Direction int

const (
	// Upstream is client → Redis.
	Upstream Direction = iota
	// Downstream is Redis → client.
	Downstream
)

func (d Direction) String() string {
	if d == Upstream {
		return StreamUpstream
	}
	return StreamDownstream
}

// Chunk is a piece of one direction's byte stream.
type Chunk struct {
	Data []byte
	At   time.Time // when the proxy read it
	EOF  bool      // the sender closed its side; Data is empty
}

// Stream is what a ByteFault or ConnFault sees of one direction of one
// connection: its clock, its random source and its controls.
type Stream struct {
	Dir  Direction
	Rand *rand.Rand // seeded from the proxy seed and the connection number
	c    *conn
}

// Now is the proxy clock's time.
func (s *Stream) Now() time.Time { return s.c.p.opts.clock.Now() }

// Wait blocks for d. It returns early with nil when f is no longer active
// on this connection (removed or updated: held data then flows on), and
// with ErrClosed when the connection closes.
func (s *Stream) Wait(d time.Duration, f Fault) error {
	if d <= 0 {
		return nil
	}
	return s.WaitUntil(s.Now().Add(d), f)
}

// WaitUntil is Wait until the clock reads t.
func (s *Stream) WaitUntil(t time.Time, f Fault) error {
	p := s.c.p
	_, wall := p.opts.clock.(realClock)
	precise := wall && p.loop != nil // timed by the loop's timerfd
	for {
		d := t.Sub(s.Now())
		if d <= 0 || precise && d < wakeSlop {
			return nil
		}
		changed := p.changed()
		if !s.c.active(f) {
			return nil
		}
		if !s.c.sleepUntil(t, p.opts.clock, changed) {
			return ErrClosed
		}
	}
}

// sleepUntil waits until clock reads t, or until changed is closed; it
// reports false when the connection closed first. On the wall clock with
// an event loop the loop's timerfd times it (microseconds late), else a
// timer of clock (a runtime timer wakes up to a millisecond late while the
// process idles).
func (c *conn) sleepUntil(t time.Time, clock Clock, changed <-chan struct{}) bool {
	var due wake
	var tick <-chan time.Time
	_, wall := clock.(realClock)
	if d := t.Sub(clock.Now()); wall && c.p.loop != nil && d <= preciseBelow {
		due = c.p.loop.after(t)
	} else {
		tick = clock.After(d)
	}
	select {
	case <-due.C:
		c.p.loop.woke(due)
	case <-tick:
	case <-changed:
	case <-c.done:
		return false
	}
	return true
}

// preciseBelow is the longest wait timed by the event loop's timerfd
// (loop_timer_linux.go), which wakes within microseconds, rather than by a
// runtime timer, which wakes up to a millisecond late while the process is
// idle. A wait cut short stays in the loop's heap until its time: the bound
// keeps that memory short-lived.
const preciseBelow = 10 * time.Second

// Done is closed when the connection closes.
func (s *Stream) Done() <-chan struct{} { return s.c.done }

// Close closes both sides of the connection (FIN).
func (s *Stream) Close() { s.c.close() }

// Reset closes both sides with a TCP RST ("connection reset by peer").
func (s *Stream) Reset() {
	s.c.mu.Lock()
	for _, nc := range []*net.TCPConn{s.c.client, s.c.server} {
		if nc != nil {
			_ = nc.SetLinger(0)
		}
	}
	s.c.mu.Unlock()
	s.c.close()
}

// State returns f's per-connection, per-direction state, made by init the
// first time.
func (s *Stream) State(f Fault, init func() any) any {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	key := stateKey{f, s.Dir}
	v, ok := s.c.state[key]
	if !ok {
		if s.c.state == nil {
			s.c.state = map[stateKey]any{}
		}
		v = init()
		s.c.state[key] = v
	}
	return v
}

type stateKey struct {
	f   Fault
	dir Direction
}

// Control is what a ProxyFault may do to its proxy. It keeps count of what
// the fault left in force, so that a fault whose run panicked is undone.
type Control struct {
	p       *Proxy
	downs   atomic.Int64
	loading atomic.Bool
}

// Down makes the proxy refuse connections (its listener closed: clients see
// ECONNREFUSED) and drops every open connection; Down(false) listens again
// on the same address.
func (c *Control) Down(down bool) error {
	if down {
		c.downs.Add(1)
	} else if c.downs.Add(-1) < 0 {
		c.downs.Add(1) // more ups than downs: nothing of ours to undo
	}
	return c.p.setDown(down)
}

// Loading makes the proxy answer every request with Redis's -LOADING error.
func (c *Control) Loading(on bool) {
	c.loading.Store(on)
	c.p.setLoading(on)
}

// undo takes back what the fault left in force.
func (c *Control) undo() {
	for c.downs.Load() > 0 {
		_ = c.Down(false)
	}
	if c.loading.Load() {
		c.Loading(false)
	}
}

// Wait blocks for d or until ctx is done; it reports whether d passed.
func (c *Control) Wait(ctx context.Context, d time.Duration) bool {
	select {
	case <-c.p.opts.clock.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}
