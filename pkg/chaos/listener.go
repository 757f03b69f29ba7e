package chaos

import (
	"errors"
	"net"
	"time"
)

// acceptLoop accepts until l is closed. It never dials: each connection
// dials its upstream in its own goroutine, so a slow or refusing upstream
// does not slow the accepting of others.
func (p *Proxy) acceptLoop(l net.Listener) {
	defer p.wg.Done()
	for p.acceptOne(l) {
	}
}

// acceptOne waits as the slow-accept faults ask, accepts one connection and
// admits it. It reports false once l is closed or the proxy stopped
// listening. A panic (in an accept fault) turns that one connection away
// and the loop goes on after a pause, so a fault that always panics does
// not spin.
func (p *Proxy) acceptOne(l net.Listener) (more bool) {
	var nc net.Conn
	defer func() {
		if r := recover(); r != nil {
			if nc != nil {
				_ = nc.Close()
			}
			p.recovered(r, "accepting a connection", nil)
			more = p.pause(100 * time.Millisecond)
		}
	}()
	if !p.acceptDelay(l) {
		return false
	}
	nc, err := l.Accept()
	if err != nil {
		if errors.Is(err, net.ErrClosed) {
			return false
		}
		// EMFILE and friends: back off briefly instead of spinning.
		return p.pause(5 * time.Millisecond)
	}
	p.admit(nc.(*net.TCPConn))
	return true
}

// pause waits d unless the proxy closes first; it reports whether it did not.
func (p *Proxy) pause(d time.Duration) bool {
	select {
	case <-p.opts.clock.After(d):
		return true
	case <-p.ctx.Done():
		return false
	}
}

// acceptDelay waits as long as the slow-accept faults ask, so that the
// kernel backlog fills as behind a busy server. It reports false when the
// proxy stopped listening meanwhile.
func (p *Proxy) acceptDelay(l net.Listener) bool {
	var d time.Duration
	for _, in := range p.faults.Load().accepts {
		d = max(d, in.fault.(AcceptFault).AcceptDelay())
	}
	if d <= 0 {
		return true
	}
	select {
	case <-p.opts.clock.After(d):
	case <-p.changed():
	case <-p.ctx.Done():
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listener == l
}

// admit lets a new client connection in or turns it away the way a full
// Redis does: the error line, then close.
func (p *Proxy) admit(tc *net.TCPConn) {
	p.stats.accepted.Add(1)
	for _, in := range p.faults.Load().accepts {
		reply := in.fault.(AcceptFault).Admit(p.stats.current.Load())
		if reply == nil || !draw(p.opts.seed, uint64(p.stats.accepted.Load()), in) {
			continue
		}
		in.injected.Add(1)
		p.stats.rejected.Add(1)
		// Like Redis: write the error and close at once. A client that
		// writes first may see a reset instead, as with Redis.
		_ = tc.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = tc.Write(reply)
		_ = tc.Close()
		return
	}
	p.mu.Lock()
	if p.closed || !p.listening {
		p.mu.Unlock()
		_ = tc.Close()
		return
	}
	c := newConn(p, p.nextConn.Add(1), tc)
	p.enter(c)
	p.mu.Unlock()
	go c.run()
}

// enter records a new connection: counted, listed, and waited for by
// Close until leave.
func (p *Proxy) enter(c *conn) {
	p.connsMu.Lock()
	p.conns[c.id] = c
	p.connsMu.Unlock()
	p.stats.open()
	p.wg.Add(1)
}

// leave records that a connection ended.
func (p *Proxy) leave(c *conn) {
	p.connsMu.Lock()
	delete(p.conns, c.id)
	p.connsMu.Unlock()
	p.stats.current.Add(-1)
	p.wg.Done()
}

// draw makes the toxicity decision for fault in on item n (a connection or
// a request), a pure function of the seed so runs replay.
func draw(seed, n uint64, in *instance) bool {
	if in.toxicity >= 1 {
		return true
	}
	return unitDraw(seed, n, in.seq) < float64(in.toxicity)
}
