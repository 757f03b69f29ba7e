package chaos

import (
	"errors"
	"io"
	"os"
	"time"
)

// replies is a stretch of Redis → client bytes; ends are the offsets just
// after each complete reply that answers a request (pushes excluded).
type replies struct {
	data []byte
	at   time.Time
	ends []int
	eof  bool
}

// downInspect forwards Redis → client, putting the replies the proxy made
// up in their place between Redis's own. It returns true when it stopped
// because no fault concerns this direction any more and every announced
// reply is out: the caller goes back to passing through.
func (c *conn) downInspect(resync bool) (toFast bool) {
	// Delivered from this goroutine: readReplies time-stamps on its own.
	out := newPipe(c, Downstream, c.client, &c.p.stats.bytesDown)
	c.mu.Lock()
	slots, upLeft := c.slotsLocked(), c.upLeft
	c.mu.Unlock()
	in := make(chan replies, 64)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		c.readReplies(in, resync)
	}()
	defer func() { <-readerDone }()
	// The queue outlives this call: announced replies stay announced if
	// the connection comes back here.
	queue := c.queue
	defer func() { c.queue = queue }()
	for {
		changed := c.p.changed()
		select {
		case s := <-slots:
			queue = c.injectDue(append(queue, s), out)
		case r, ok := <-in:
			if !ok { // the reader was stopped on purpose: leave
				return !c.closed()
			}
			queue = drainSlots(slots, queue)
			queue = c.deliver(queue, r, out)
			if r.eof {
				out.send(Chunk{EOF: true})
				return false
			}
		case <-changed:
		case <-upLeft:
		case <-c.done:
			return false
		}
		if !c.leavingDown.Load() && c.downMayLeave(queue, slots) {
			c.leavingDown.Store(true)
			_ = c.server.SetReadDeadline(past) // stops readReplies
		}
	}
}

func (c *conn) downMayLeave(queue []slot, slots chan slot) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.upSlow && len(queue) == 0 && len(slots) == 0 && !c.hasByteFaultsLocked(Downstream)
}

// drainSlots takes the slots already announced: the one for a reply is
// always sent before its request reaches Redis.
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

// deliver forwards r, pairing each reply with the head of the queue and
// writing made-up replies as soon as every reply before them is out.
func (c *conn) deliver(queue []slot, r replies, out *pipe) []slot {
	queue = c.injectDue(queue, out)
	start := 0
	for _, end := range r.ends {
		if len(queue) == 0 || queue[0].n == 0 {
			continue // a reply nobody announced: pass it on in place
		}
		queue[0].n--
		if queue[0].n > 0 {
			continue
		}
		queue = queue[1:]
		if len(queue) > 0 && queue[0].reply != nil {
			out.send(Chunk{Data: r.data[start:end], At: r.at})
			start = end
			queue = c.injectDue(queue, out)
		}
	}
	if start < len(r.data) {
		out.send(Chunk{Data: r.data[start:], At: r.at})
	}
	return queue
}

// injectDue writes the made-up replies at the head of the queue.
func (c *conn) injectDue(queue []slot, out *pipe) []slot {
	for len(queue) > 0 && queue[0].reply != nil {
		out.send(Chunk{Data: queue[0].reply, At: c.p.opts.clock.Now()})
		queue = queue[1:]
	}
	return queue
}

// readReplies reads Redis's bytes and frames them into replies until EOF
// or an error; it never blocks once the connection is closed.
func (c *conn) readReplies(out chan<- replies, resync bool) {
	defer close(out)
	send := func(r replies) bool {
		select {
		case out <- r:
			return true
		case <-c.done:
			return false
		}
	}
	buf := make([]byte, 0, 16<<10)
	for {
		var n int
		var err error
		buf, n, err = c.readMore(c.server, buf)
		if n > 0 {
			r, used := c.frame(buf, &resync)
			r.at = c.p.opts.clock.Now()
			if len(r.data) > 0 && !send(r) {
				return
			}
			buf = buf[:copy(buf, buf[used:])]
		}
		if err != nil {
			last := replies{data: append([]byte(nil), buf...), at: c.p.opts.clock.Now(), eof: true}
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded) && c.leavingDown.Load():
				last.eof = false // what was read of a reply goes on as bytes
				if len(last.data) > 0 {
					send(last)
				}
			case errors.Is(err, io.EOF):
				send(last)
			default:
				c.close()
			}
			return
		}
	}
}

// frame cuts the complete replies off the front of buf (all of it when the
// connection passes bytes through) and reports how many bytes it used.
func (c *conn) frame(buf []byte, resync *bool) (replies, int) {
	var r replies
	pos := 0
	for pos < len(buf) {
		if c.opaque.Load() || *resync && !isReplyStart(buf[pos]) {
			pos = len(buf)
			break
		}
		*resync = false
		n, push, err := parseReply(buf[pos:])
		if errors.Is(err, errIncomplete) {
			break
		}
		if err != nil {
			c.opaque.Store(true)
			continue
		}
		pos += n
		if !push {
			r.ends = append(r.ends, pos)
		}
	}
	r.data = append([]byte(nil), buf[:pos]...)
	return r, pos
}
