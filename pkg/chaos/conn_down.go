package chaos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// A made-up reply must reach the client exactly where Redis's reply to its
// request would have: after the replies to every request sent before it,
// including requests that went through unread before the fault was set
// (their number is unknown). So the upstream side does not keep the
// request from Redis silently; it sends Redis a stand-in, ECHO of a token
// unique on this connection, and the downstream side swaps Redis's answer
// to it, found in the byte stream, for the made-up reply. Redis keeps the
// order; nothing needs counting. Inside MULTI the stand-in is queued like
// the request it replaces (+QUEUED) and its swapped reply lands in EXEC's
// array; after DISCARD no answer comes, and a later token's answer retires
// the earlier ones. (After CLIENT REPLY the connection is not inspected.)

// tokenLen is the length of a stand-in token: "rescli-chaos:" then the
// connection id (16 hex digits), ":" and a sequence number (12 digits).
const tokenLen = len("rescli-chaos:") + 16 + 1 + 12

// slot is a stand-in sent to Redis: its sequence number and the reply to
// put in place of Redis's answer to it.
type slot struct {
	seq   uint64
	reply []byte
}

// tokenPrefix is what every stand-in answer on connection id starts with
// (RESP2 and RESP3 answer ECHO with the same bulk string).
func tokenPrefix(id uint64) []byte {
	return fmt.Appendf(nil, "$%d\r\nrescli-chaos:%016x:", tokenLen, id)
}

// standIn is the ECHO request for stand-in seq on connection id.
func standIn(id, seq uint64) []byte {
	return fmt.Appendf(nil, "*2\r\n$4\r\nECHO\r\n$%d\r\nrescli-chaos:%016x:%012d\r\n", tokenLen, id, seq%1e12)
}

// chunk is a stretch of Redis → client bytes as read.
type chunk struct {
	data   []byte
	at     time.Time
	eof    bool // Redis's stream ended: the last chunk
	broken bool // ended by an error (a reset) rather than a FIN
}

// downInspect forwards Redis → client through the byte faults, swapping
// stand-in answers for their made-up replies. It returns true when it
// stopped because no fault concerns this direction any more and no
// stand-in is outstanding: the caller goes back to passing through.
func (c *conn) downInspect() (toFast bool) {
	// Delivered from this goroutine: readChunks time-stamps on its own.
	out := newPipe(c, Downstream, c.client, &c.p.stats.bytesDown)
	c.mu.Lock()
	slots, upLeft := c.slotsLocked(), c.upLeft
	c.mu.Unlock()
	in := make(chan chunk, 64)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer c.guard("reply reader")
		c.readChunks(in)
	}()
	returned := false
	defer func() {
		if !returned { // a panic: the reader may be blocked on Redis
			c.close()
		}
		<-readerDone
	}()
	toFast = c.downChunks(out, in, slots, upLeft)
	returned = true
	return toFast
}

// downChunks is downInspect's loop over Redis's chunks and the stand-ins
// announced by the upstream side.
func (c *conn) downChunks(out *pipe, in <-chan chunk, slots chan slot, upLeft chan struct{}) (toFast bool) {
	// The queue outlives this call: stand-ins stay outstanding if the
	// connection comes back here.
	sw := swapper{prefix: tokenPrefix(c.id), queue: c.queue, out: out}
	defer func() { c.queue = sw.queue }()
	for {
		changed := c.p.changed()
		select {
		case s := <-slots:
			sw.queue = append(sw.queue, s)
		case r, ok := <-in:
			if !ok { // the reader was stopped on purpose: leave
				sw.flush(c.p.opts.clock.Now())
				return !c.closed()
			}
			sw.queue = drainSlots(slots, sw.queue)
			sw.feed(r)
			if r.eof {
				sw.flush(r.at)
				if r.broken {
					c.close()
				} else {
					out.send(Chunk{EOF: true})
				}
				return false
			}
		case <-changed:
		case <-upLeft:
		case <-c.done:
			return false
		}
		if !c.leavingDown.Load() && c.downMayLeave(sw.queue, slots) {
			c.leavingDown.Store(true)
			_ = c.server.SetReadDeadline(past) // stops readChunks
		}
	}
}

func (c *conn) downMayLeave(queue []slot, slots chan slot) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.upSlow && len(queue) == 0 && len(slots) == 0 && !c.hasByteFaultsLocked(Downstream)
}

// drainSlots takes the stand-ins already announced: each is announced
// before it is sent to Redis.
func drainSlots(slots chan slot, queue []slot) []slot {
	for {
		select {
		case s := <-slots:
			queue = append(queue, s)
		default:
			return queue
		}
	}
}

// swapper finds stand-in answers in Redis's byte stream and puts the
// made-up replies in their place.
type swapper struct {
	prefix []byte
	queue  []slot // outstanding stand-ins, by sequence number
	held   []byte // the stream's tail that may be the start of an answer
	out    *pipe
}

func (s *swapper) feed(r chunk) {
	data := r.data
	if len(s.held) > 0 {
		data = append(s.held, data...)
		s.held = nil
	}
	full := len(s.prefix) + 12 + 2 // prefix, sequence number, CRLF
	for len(data) > 0 {
		if len(s.queue) == 0 {
			s.send(data, r.at)
			return
		}
		i := bytes.Index(data, s.prefix)
		if i < 0 {
			keep := overlap(data, s.prefix)
			s.send(data[:len(data)-keep], r.at)
			s.held = append([]byte(nil), data[len(data)-keep:]...)
			return
		}
		if len(data)-i < full { // the answer continues in the next read
			s.send(data[:i], r.at)
			s.held = append([]byte(nil), data[i:]...)
			return
		}
		seq, err := strconv.ParseUint(string(data[i+len(s.prefix):i+full-2]), 10, 64)
		if err != nil || string(data[i+full-2:i+full]) != "\r\n" {
			s.send(data[:i+1], r.at) // not an answer after all
			data = data[i+1:]
			continue
		}
		for len(s.queue) > 0 && s.queue[0].seq < seq { // never answered
			s.queue = s.queue[1:]
		}
		s.send(data[:i], r.at)
		if len(s.queue) > 0 && s.queue[0].seq == seq {
			s.send(s.queue[0].reply, r.at)
			s.queue = s.queue[1:]
		} else {
			s.send(data[i:i+full], r.at)
		}
		data = data[i+full:]
	}
}

// flush sends what was held back: no answer can complete it any more.
func (s *swapper) flush(at time.Time) {
	if len(s.held) > 0 {
		s.send(s.held, at)
		s.held = nil
	}
}

func (s *swapper) send(b []byte, at time.Time) {
	if len(b) > 0 {
		s.out.send(Chunk{Data: b, At: at})
	}
}

// overlap is the length of the longest end of data that begins prefix.
func overlap(data, prefix []byte) int {
	for k := min(len(prefix)-1, len(data)); k > 0; k-- {
		if bytes.HasPrefix(prefix, data[len(data)-k:]) {
			return k
		}
	}
	return 0
}

// readChunks reads Redis's bytes until EOF or an error; it never blocks
// once the connection is closed. The end of the stream, a reset included,
// is a chunk too: the connection closes only once every byte before it was
// passed on.
func (c *conn) readChunks(out chan<- chunk) {
	defer close(out)
	send := func(r chunk) bool {
		select {
		case out <- r:
			return true
		case <-c.done:
			return false
		}
	}
	buf := make([]byte, 16<<10)
	for {
		n, err := c.server.Read(buf)
		if n > 0 && !send(chunk{data: append([]byte(nil), buf[:n]...), at: c.p.opts.clock.Now()}) {
			return
		}
		if err != nil {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded) && c.leavingDown.Load():
			case errors.Is(err, io.EOF):
				send(chunk{at: c.p.opts.clock.Now(), eof: true})
			default:
				send(chunk{at: c.p.opts.clock.Now(), eof: true, broken: true})
			}
			return
		}
	}
}
