package chaos

import (
	"net"
	"slices"
	"sync/atomic"
	"time"
)

// heldChunk is a chunk a latency fault holds until its time: in the event
// loop (loop_delay_linux.go), and on goroutines for what the loop held
// when it handed the connection over.
type heldChunk struct {
	data []byte
	due  time.Time // zero: let go at once (its fault changed)
}

// heldBytes is what the loop held in one direction when it handed the
// connection over: the chunks, and the latency faults that held them.
type heldBytes struct {
	chunks []heldChunk
	by     []*Latency
}

// writeHeld writes chunks the loop held to dst in order, each at its time,
// so that another fault added meanwhile does not cut the latency short;
// once a fault that held them is gone (removed, or updated: a new
// instance) they go at once, as a removed fault lets go on either path.
// It reports false when the connection closed or dst refused the bytes.
func (c *conn) writeHeld(dst *net.TCPConn, held heldBytes, d Direction, count *atomic.Int64) bool {
	for _, h := range held.chunks {
		for !h.due.IsZero() {
			wait := time.Until(h.due)
			if wait <= wakeSlop {
				c.p.stats.late.observe(-wait)
				break
			}
			changed := c.p.changed()
			if lostLatency(held.by, c.latencies(d)) {
				break
			}
			if !c.sleepUntil(h.due, realClock{}, changed) { // the loop's dues are wall-clock times
				return false
			}
		}
		n, err := dst.Write(h.data)
		count.Add(int64(n))
		if err != nil {
			return false
		}
	}
	return true
}

// lostLatency reports whether a latency fault of was is missing from now.
func lostLatency(was, now []*Latency) bool {
	return slices.ContainsFunc(was, func(f *Latency) bool { return !slices.Contains(now, f) })
}
