package chaos

import (
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// maxFrame caps how much of one request or reply is buffered to frame it;
// beyond it the connection passes bytes through unparsed.
const maxFrame = 64 << 20

// readMore reads from r into the free space of buf, growing buf when it is
// full; once buf has reached maxFrame the connection passes bytes through.
func (c *conn) readMore(r io.Reader, buf []byte) ([]byte, int, error) {
	if len(buf) == cap(buf) {
		if cap(buf) >= maxFrame {
			c.opaque.Store(true)
		}
		buf = append(buf, 0)[:len(buf)]
	}
	n, err := r.Read(buf[len(buf):cap(buf)])
	return buf[:len(buf)+n], n, err
}

// loadingReply is what Redis answers while it loads its dataset.
var loadingReply = []byte("-LOADING Redis is loading the dataset in memory\r\n")

// upInspect forwards client → Redis request by request: each request is
// forwarded, delayed, or answered by a fault through a stand-in (see
// conn_down.go), announced to the downstream side before it is sent. It
// returns true when no fault
// concerns this direction any more, at a request boundary, everything
// read forwarded. request holds bytes already read from the client (from
// the loop), inspected before anything more is read.
func (c *conn) upInspect(request []byte, resync bool) (toFast bool) {
	out := newPipe(c, Upstream, c.server, &c.p.stats.bytesUp).start()
	returned := false
	defer func() {
		if !returned { // a panic: close first, the pipe may hold a chunk for long
			c.close()
		}
		out.finish()
	}()
	toFast = c.upRequests(out, request, resync)
	returned = true
	return toFast
}

// upRequests is upInspect's loop: it reads, frames and forwards requests.
func (c *conn) upRequests(out *pipe, request []byte, resync bool) (toFast bool) {
	c.mu.Lock()
	slots := c.slotsLocked()
	c.mu.Unlock()
	if c.upRand == nil { // only this goroutine uses it
		c.upRand = rand.New(rand.NewPCG(c.p.opts.seed, c.id<<16|0xffff))
	}
	u := &upReader{c: c, out: out, resync: resync, slots: slots, rand: c.upRand}
	buf := append(make([]byte, 0, max(16<<10, len(request))), request...)
	n := len(buf)
	var err error
	for {
		if n > 0 {
			rest, ok := u.handle(buf, c.p.opts.clock.Now())
			if !ok {
				return false
			}
			buf = buf[:copy(buf, rest)]
			if len(buf) == 0 && err == nil && c.upMayLeave() {
				return true
			}
		}
		if err != nil {
			if len(buf) > 0 {
				u.forward(buf)
			}
			if errors.Is(err, io.EOF) {
				out.send(Chunk{EOF: true})
			} else {
				c.close()
			}
			return false
		}
		buf, n, err = c.readMore(c.client, buf)
	}
}

func (c *conn) upMayLeave() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.redisActive() && !c.hasByteFaultsLocked(Upstream)
}

type upReader struct {
	c      *conn
	out    *pipe
	slots  chan slot
	resync bool // may be inside a request: wait for one to start
	rand   *rand.Rand
	at     time.Time
}

// handle frames the requests in buf, acts on each, and returns the bytes
// of a trailing incomplete request. It reports false once the connection
// is closed.
func (u *upReader) handle(buf []byte, at time.Time) ([]byte, bool) {
	u.at = at
	start, pos := 0, 0
	for pos < len(buf) {
		if u.c.opaque.Load() || u.resync && buf[pos] != '*' {
			break // pass the rest through
		}
		u.resync = false
		req, n, err := parseRequest(buf[pos:])
		if errors.Is(err, errIncomplete) {
			if !u.forward(buf[start:pos]) {
				return nil, false
			}
			return buf[pos:], true
		}
		if err != nil {
			u.c.opaque.Store(true)
			break
		}
		if len(req.Args) == 0 { // blank line or *0: Redis ignores it
			pos += n
			continue
		}
		if passesThrough(&req) {
			u.c.opaque.Store(true) // after this one, no Redis faults: the stream is not request/reply
		}
		act := u.c.decide(&req, u.rand)
		if act.Delay > 0 || act.Reply != nil {
			if !u.forward(buf[start:pos]) || !u.wait(act.Delay) {
				return nil, false
			}
			start = pos
		}
		pos += n
		if act.Reply != nil {
			u.c.standIns++
			seq := u.c.standIns
			if !u.push(slot{seq: seq, reply: act.Reply}) || !u.forward(standIn(u.c.id, seq)) {
				return nil, false
			}
			start = pos
		}
	}
	if !u.forward(buf[start:]) {
		return nil, false
	}
	return nil, true
}

// forward sends data to Redis.
func (u *upReader) forward(data []byte) bool {
	if len(data) == 0 {
		return true
	}
	return u.out.send(Chunk{Data: append([]byte(nil), data...), At: u.at})
}

func (u *upReader) push(s slot) bool {
	select {
	case u.slots <- s:
		return true
	case <-u.c.downExit: // nobody reads replies any more
		return true
	case <-u.c.done:
		return false
	}
}

func (u *upReader) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	// Any change of faults ends the wait: a removed delay never holds a
	// request back.
	select {
	case <-u.c.p.opts.clock.After(d):
	case <-u.c.p.changed():
	case <-u.c.done:
		return false
	}
	u.at = u.c.p.opts.clock.Now()
	return true
}

// decide asks the Redis-level faults what to do with req: delays add up,
// the first reply wins.
func (c *conn) decide(req *Request, rnd *rand.Rand) Action {
	if c.opaque.Load() {
		return Action{}
	}
	if c.p.loading.Load() {
		return Action{Reply: loadingReply}
	}
	var act Action
	for _, in := range c.p.faults.Load().requests {
		a, ok := in.fault.(RequestFault).Request(req)
		if !ok || in.toxicity < 1 && rnd.Float64() >= float64(in.toxicity) {
			continue
		}
		in.injected.Add(1)
		act.Delay += a.Delay
		if a.Reply != nil {
			act.Reply = a.Reply
			return act
		}
	}
	return act
}

// mayAct reports whether a Redis-level fault may act on req, before any
// toxicity draw: the loop hands the connection to goroutines at such a
// request, and decide draws and counts there, once.
func (c *conn) mayAct(req *Request) bool {
	if c.opaque.Load() {
		return false
	}
	if c.p.loading.Load() {
		return true
	}
	for _, in := range c.p.faults.Load().requests {
		if in.toxicity <= 0 {
			continue
		}
		if _, ok := in.fault.(RequestFault).Request(req); ok {
			return true
		}
	}
	return false
}

// passesThrough names the commands after which replies no longer answer
// requests one to one (pub/sub, MONITOR, replication, CLIENT REPLY): the
// connection then carries bytes unparsed.
func passesThrough(req *Request) bool {
	switch req.Name() {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC":
		return true
	case "CLIENT":
		return len(req.Args) > 1 && strings.EqualFold(string(req.Args[1]), "REPLY")
	}
	return false
}
