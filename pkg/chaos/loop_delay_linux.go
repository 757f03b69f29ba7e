//go:build linux

package chaos

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Latency faults are played in the loop: a chunk read from one socket is
// copied and held on its peer's side until its time (the read's time plus
// each latency fault's delay, never before the chunk ahead of it), then
// written there. A timer on the loop thread releases it, so a held chunk
// costs no goroutine, no channel and no hand-off between threads: on the
// goroutine path a 1 ms fault added 1.35 ms at p50 with 50 clients, most
// of it the CPU of the goroutines' wake-ups. Any other fault still moves
// the connection to goroutines, held bytes with it, each still written at
// its time there (conn_held.go).

// maxHeld bounds the bytes held towards one socket: past it the loop stops
// reading from the other side until some are written, as a full socket
// buffer would make it.
const maxHeld = 4 << 20

// plan reads again whether lc's requests are framed and which latency
// faults act on each direction of lc. When a direction lost a latency
// fault, what it held flows on now, as on the goroutine path (a removed or
// updated fault lets go of what it held); a fault only added acts on what
// is read from now on, and what is held keeps its time.
func (l *evloop) plan(lc *lconn) {
	l.planFrame(lc)
	for _, d := range []Direction{Upstream, Downstream} {
		lats := lc.c.latencies(d)
		if slices.Equal(lats, lc.delays[d]) {
			continue
		}
		lost := lostLatency(lc.delays[d], lats)
		lc.delays[d] = lats
		if !lost {
			continue
		}
		dst := lc.towards(d)
		for i := range dst.held {
			dst.held[i].due = time.Time{}
		}
		if len(dst.held) > 0 {
			l.releaseHeld(dst)
		}
	}
}

// towards is the side bytes flowing in direction d are written to.
func (lc *lconn) towards(d Direction) *lside {
	if d == Upstream {
		return &lc.sv
	}
	return &lc.cl
}

// forward passes bytes read from src on to its peer: now, or at their time
// under latency faults. It reports false when the connection left the loop
// or closed.
func (l *evloop) forward(src *lside, data []byte) bool {
	lc, dst := src.lc, src.peer
	lats := lc.delays[src.dir]
	if len(lats) == 0 && len(dst.held) == 0 {
		return l.write(dst, data)
	}
	due := time.Now()
	for _, f := range lats {
		due = due.Add(f.delay(lc.random(src.dir)))
	}
	if n := len(dst.held); n > 0 && due.Before(dst.held[n-1].due) {
		due = dst.held[n-1].due
	}
	dst.held = append(dst.held, heldChunk{slices.Clone(data), due})
	dst.heldBytes += len(data)
	if len(dst.held) == 1 {
		l.armRelease(dst, due)
	}
	return true
}

// random is the jitter source of direction d, made on first use.
func (lc *lconn) random(d Direction) *rand.Rand {
	if lc.rand[d] == nil {
		lc.rand[d] = rand.New(rand.NewPCG(lc.c.p.opts.seed, lc.c.id<<16|0x7f<<1|uint64(d)))
	}
	return lc.rand[d]
}

// armRelease sets the loop's timer to release dst's held chunks at due,
// early by what the loop's wake-ups are learnt to be late. An older timer
// of dst does nothing when it fires.
func (l *evloop) armRelease(dst *lside, due time.Time) {
	dst.gen++
	gen := dst.gen
	armed := due.Add(-l.timers.loopLead.get())
	l.at(armed, func() {
		if dst.gen != gen || !dst.lc.in {
			return
		}
		l.timers.loopLead.learn(time.Since(armed))
		l.releaseHeld(dst)
	})
}

// releaseHeld writes dst's held chunks whose time has come, in order, while dst
// takes them; then lets the side that feeds dst go on.
func (l *evloop) releaseHeld(dst *lside) {
	lc := dst.lc
	l.cur = lc
	now := time.Now()
	for len(dst.held) > 0 && dst.pending == nil {
		h := dst.held[0]
		if h.due.Sub(now) > wakeSlop {
			l.armRelease(dst, h.due)
			return
		}
		if !h.due.IsZero() { // zero: let go early, its fault changed
			lc.c.p.stats.late.observe(now.Sub(h.due))
		}
		dst.held[0] = heldChunk{}
		dst.held = dst.held[1:]
		dst.heldBytes -= len(h.data)
		if !l.write(dst, h.data) || !lc.in {
			return
		}
	}
	if len(dst.held) == 0 {
		dst.held = nil
	}
	if dst.pending != nil || len(dst.held) > 0 {
		return // EPOLLOUT's flush goes on
	}
	src := dst.peer
	if src.eof {
		l.ended(src)
		return
	}
	l.pump(src)
}

// takeHeld empties what dst holds, for a hand-over to goroutines, which
// write each chunk at its time while the faults that held it stay.
func (dst *lside) takeHeld() heldBytes {
	out := heldBytes{chunks: dst.held, by: dst.lc.delays[dst.peer.dir]}
	dst.held, dst.heldBytes = nil, 0
	dst.gen++
	return out
}
