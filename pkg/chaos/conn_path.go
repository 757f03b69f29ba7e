package chaos

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// A direction passes bytes through until a fault concerns it, inspects
// while one does, and goes back to passing through once none does (the
// upstream side at a request boundary). The upstream side inspects only
// once the downstream side watches for stand-in answers too, and the
// downstream side leaves last, when no stand-in is outstanding.

// kick interrupts the passing-through directions so they look at the
// faults again, and returns channels closed once they did. A read deadline
// does not stop a chunk already read from being written, so a caller that wants
// the faults to cover everything sent after it returns waits for these.
func (c *conn) kick() []chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	var acks []chan struct{}
	if c.upFast {
		_ = c.client.SetReadDeadline(past)
		if c.upAck == nil {
			c.upAck = make(chan struct{})
		}
		acks = append(acks, c.upAck)
	}
	if c.downFast {
		_ = c.server.SetReadDeadline(past)
		if c.downAck == nil {
			c.downAck = make(chan struct{})
		}
		acks = append(acks, c.downAck)
	}
	return acks
}

// leftFastLocked records that a direction's passThrough returned.
func leftFastLocked(fast *bool, ack *chan struct{}) {
	*fast = false
	if *ack != nil {
		close(*ack)
		*ack = nil
	}
}

// handoff is what a connection brings from the loop to goroutines: bytes
// read but not yet written, and (inspected in the loop) the start of a
// request a fault acts on, not yet forwarded.
type handoff struct {
	toServer     []byte    // written to Redis first
	toClient     []byte    // written to the client first
	heldToServer heldBytes // then these, each at its time (latency faults)
	heldToClient heldBytes
	request      []byte // read from the client after the above: inspected first
	resync       bool   // request may start inside a request
}

// leaveForLoopLocked is asked by direction d when it would pass bytes
// through: it reports whether d should end instead, because the other
// direction passes bytes through too (or has ended upstream) and the
// connection moves to the loop. The other direction, if it is copying, is
// interrupted.
func (c *conn) leaveForLoopLocked(d Direction) bool {
	if c.toLoop {
		return true
	}
	other := c.downFast
	if d == Downstream {
		other = c.upFast || c.upEnded
	}
	if c.p.loop == nil || !other || len(c.watchers) > 0 || c.closed() {
		return false
	}
	c.toLoop = true
	if d == Downstream && c.upFast {
		_ = c.client.SetReadDeadline(past)
	}
	if d == Upstream {
		_ = c.server.SetReadDeadline(past)
	}
	return true
}

func (c *conn) upLoop(toServer []byte, held heldBytes, request []byte, resync bool) {
	if len(toServer) > 0 {
		n, err := c.server.Write(toServer)
		c.p.stats.bytesUp.Add(int64(n))
		if err != nil {
			return // Redis is gone: the downstream side ends the connection
		}
	}
	if !c.writeHeld(c.server, held, Upstream, &c.p.stats.bytesUp) {
		return
	}
	for {
		c.mu.Lock()
		if c.redisActive() || c.hasByteFaultsLocked(Upstream) {
			c.upSlow = true
			c.slotsLocked()
			for c.downFast && !c.closed() {
				_ = c.server.SetReadDeadline(past)
				c.cond.Wait()
			}
			c.mu.Unlock()
			if !c.upInspect(request, resync) {
				return
			}
			request, resync = nil, false
			continue
		}
		if c.upSlow { // back from inspecting: let downstream follow
			c.upSlow = false
			select {
			case c.upLeft <- struct{}{}:
			default:
			}
		}
		if len(request) > 0 { // the fault that stopped it is gone
			c.mu.Unlock()
			n, err := c.server.Write(request)
			c.p.stats.bytesUp.Add(int64(n))
			if err != nil {
				return
			}
			request = nil
			continue
		}
		if c.leaveForLoopLocked(Upstream) {
			c.mu.Unlock()
			return
		}
		c.upFast = true
		c.mu.Unlock()
		interrupted := c.fastCopy(c.server, c.client, &c.p.stats.bytesUp)
		c.mu.Lock()
		leftFastLocked(&c.upFast, &c.upAck)
		toLoop := c.toLoop
		c.mu.Unlock()
		if !interrupted || toLoop {
			return
		}
		_ = c.client.SetReadDeadline(time.Time{})
		resync = true
	}
}

func (c *conn) downLoop(toClient []byte, held heldBytes) {
	if len(toClient) > 0 {
		n, err := c.client.Write(toClient)
		c.p.stats.bytesDown.Add(int64(n))
		if err != nil {
			c.close()
			return
		}
	}
	if !c.writeHeld(c.client, held, Downstream, &c.p.stats.bytesDown) {
		c.close()
		return
	}
	for {
		c.mu.Lock()
		if c.upSlow || c.hasByteFaultsLocked(Downstream) {
			c.downSlow = true
			c.mu.Unlock()
			if !c.downInspect() {
				return
			}
			c.mu.Lock()
			c.downSlow = false
			c.mu.Unlock()
			c.leavingDown.Store(false)
			_ = c.server.SetReadDeadline(time.Time{})
			continue
		}
		if c.leaveForLoopLocked(Downstream) {
			c.mu.Unlock()
			return
		}
		c.downFast = true
		c.mu.Unlock()
		interrupted := c.fastCopy(c.client, c.server, &c.p.stats.bytesDown)
		c.mu.Lock()
		leftFastLocked(&c.downFast, &c.downAck)
		c.cond.Broadcast()
		toLoop := c.toLoop
		c.mu.Unlock()
		if !interrupted || toLoop {
			return
		}
		_ = c.server.SetReadDeadline(time.Time{})
	}
}

// fastCopy passes src through to dst until EOF, an error, or a kick
// (reported as interrupted).
func (c *conn) fastCopy(dst, src *net.TCPConn, count *atomic.Int64) (interrupted bool) {
	err := passThrough(dst, src, count)
	switch {
	case err == nil:
		c.endOfStream(dst)
	case errors.Is(err, os.ErrDeadlineExceeded) && !c.closed():
		return true
	case errors.Is(err, errWriteFailed) && dst == c.server:
		// Redis is gone; the downstream side ends the connection once it
		// has passed on everything Redis sent.
	default:
		c.close()
	}
	return false
}
