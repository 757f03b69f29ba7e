//go:build linux

package chaos

import "errors"

// Redis-level faults (error, delay, LOADING) act on whole requests, so
// while one is set a connection's requests are framed. The loop frames
// them itself: requests no fault acts on are forwarded as read, one write
// per read as without faults; at the first request a fault may act on
// (before its toxicity draw) the connection moves to goroutines with that
// request and everything after it unread (handoff.request), and the
// goroutine path decides, draws and counts as it always has. A fault that
// matches nothing thus costs the parse, not the goroutines' wake-ups
// (measured by scripts/bench-proxy.sh's inspect row). Replies are not
// looked at: stand-in answers are found by their token (conn_down.go), so
// the downstream side needs no boundary to start from.

// frame is the loop's request framing on one connection.
type frame struct {
	on     bool     // requests are framed
	resync bool     // bytes went through unframed: wait for one to start a read with '*'
	tail   []byte   // the start of a request not complete yet, held back
	args   [][]byte // parseRequestInto's scratch
	read   bool     // bytes were read from the client (a fault set later may find it mid-request)
}

// planFrame turns framing on or off as the faults now ask; turned off, the
// request it held back flows on.
func (l *evloop) planFrame(lc *lconn) {
	on := lc.c.redisActive()
	if on == lc.frame.on {
		return
	}
	lc.frame.on = on
	if on {
		lc.frame.resync = lc.frame.read
		return
	}
	l.flushFrame(lc)
}

// inspect forwards what was read from the client, framed: it reports false
// when the connection left the loop or closed.
func (l *evloop) inspect(src *lside, data []byte) bool {
	lc, f := src.lc, &src.lc.frame
	buf := data
	if len(f.tail) > 0 {
		f.tail = append(f.tail, data...)
		buf = f.tail
	}
	pos := 0
	for pos < len(buf) {
		if lc.c.opaque.Load() || f.resync && buf[pos] != '*' {
			pos = len(buf) // pass the rest through
			break
		}
		f.resync = false
		req, n, err := parseRequestInto(buf[pos:], f.args[:0])
		if errors.Is(err, errIncomplete) && len(buf)-pos < maxFrame {
			return l.holdBack(src, buf, pos)
		}
		if err != nil { // Redis answers its own protocol error
			lc.c.opaque.Store(true)
			pos = len(buf)
			break
		}
		f.args = req.Args[:0]
		switch {
		case len(req.Args) == 0: // blank line or *0: Redis ignores it
		case passesThrough(&req):
			lc.c.opaque.Store(true) // the stream is not request/reply after this one
		case lc.c.mayAct(&req):
			rest := append([]byte(nil), buf[pos:]...)
			f.tail = nil
			if pos > 0 && !l.forward(src, buf[:pos]) {
				return false
			}
			l.detach(lc, handoff{request: rest})
			return false
		}
		pos += n
	}
	f.tail = nil
	return l.forward(src, buf[:pos])
}

// holdBack forwards buf's complete requests and keeps the incomplete one
// starting at pos for the next read.
func (l *evloop) holdBack(src *lside, buf []byte, pos int) bool {
	f := &src.lc.frame
	if pos == 0 {
		if len(f.tail) == 0 {
			f.tail = append([]byte(nil), buf...)
		}
		return true
	}
	done := buf[:pos]
	if len(f.tail) > 0 { // buf is f.tail: keep its end in a new slice
		f.tail = append([]byte(nil), buf[pos:]...)
	} else {
		f.tail = append(f.tail, buf[pos:]...)
	}
	return l.forward(src, done)
}

// flushFrame forwards to Redis the client's request held back, when the
// client's stream ends (no more bytes can complete it) or framing stops.
func (l *evloop) flushFrame(lc *lconn) bool {
	tail := lc.frame.tail
	lc.frame.tail = nil
	return len(tail) == 0 || l.forward(&lc.cl, tail)
}
