package chaos

import (
	"context"
	"math/rand/v2"
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
	for {
		d := t.Sub(s.Now())
		if d <= 0 {
			return nil
		}
		changed := p.changed()
		if !s.c.active(f) {
			return nil
		}
		if wall && d <= preciseBelow && p.trySleep(d) {
			return nil
		}
		select {
		case <-p.opts.clock.After(d):
		case <-changed:
		case <-s.c.done:
			return ErrClosed
		}
	}
}

// preciseBelow is the wait short enough to sleep in the kernel rather than
// on a runtime timer: an idle Go process sleeps in whole milliseconds, so a
// 1 ms latency would add 1.1–1.2 ms. Such a sleep holds a thread and its P,
// is not cut short by a fault change, and so is used for short waits by at
// most GOMAXPROCS-1 goroutines at once, and never with GOMAXPROCS 1 (a
// container limited to one CPU): there the sleeper would hold the only P
// until sysmon takes it back, stalling every other connection for
// milliseconds. A busy process (many connections waiting) checks its timers
// often enough for them to be precise.
const preciseBelow = 2 * time.Millisecond

// trySleep sleeps d in the kernel unless sleepSlots goroutines already do.
func (p *Proxy) trySleep(d time.Duration) bool {
	if p.sleepSlots <= 0 {
		return false
	}
	defer p.sleepers.Add(-1)
	if p.sleepers.Add(1) > p.sleepSlots {
		return false
	}
	p.sleep(d)
	return true
}

// sleep sleeps about d in the kernel, aimed early by how late such sleeps
// have woken so far (timer slack: ~80 µs on a VM).
func (p *Proxy) sleep(d time.Duration) {
	aim := d - time.Duration(p.sleepLate.Load())
	if aim <= 0 {
		return
	}
	start := time.Now()
	preciseSleep(aim)
	late := min(max(time.Since(start)-aim, 0), 500*time.Microsecond)
	old := p.sleepLate.Load()
	p.sleepLate.Store(old + (int64(late)-old)/8) // moving average
}

// Done is closed when the connection closes.
func (s *Stream) Done() <-chan struct{} { return s.c.done }

// Close closes both sides of the connection (FIN).
func (s *Stream) Close() { s.c.close() }

// Reset closes both sides with a TCP RST ("connection reset by peer").
func (s *Stream) Reset() {
	_ = s.c.client.SetLinger(0)
	_ = s.c.server.SetLinger(0)
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
