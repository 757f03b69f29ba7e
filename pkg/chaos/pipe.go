package chaos

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
)

// pipe writes one direction's chunks to its destination through the byte
// faults acting on it. Started, it does so in its own goroutine, so that a
// fault holding a chunk (latency) does not stop the side that reads and
// time-stamps chunks, and delays do not add up; unstarted, send delivers
// at once, for a caller that already runs apart from its reader.
type pipe struct {
	c     *conn
	dir   Direction
	dst   *net.TCPConn
	count *atomic.Int64
	s     *Stream
	in    chan Chunk
	done  chan struct{}
}

func newPipe(c *conn, dir Direction, dst *net.TCPConn, count *atomic.Int64) *pipe {
	return &pipe{c: c, dir: dir, dst: dst, count: count, s: c.stream(dir, 0)}
}

func (p *pipe) start() *pipe {
	p.in, p.done = make(chan Chunk, 64), make(chan struct{})
	go p.run()
	return p
}

// send queues (or, unstarted, delivers) a chunk; it reports false once the
// connection is closed.
func (p *pipe) send(ch Chunk) bool {
	if p.in == nil {
		if err := p.chain(p.c.byteFaults(p.dir), ch); err != nil {
			p.c.close()
			return false
		}
		return true
	}
	select {
	case p.in <- ch:
		return true
	case <-p.c.done:
		return false
	}
}

// finish waits until every queued chunk is written (or dropped on close).
func (p *pipe) finish() {
	if p.in == nil {
		return
	}
	close(p.in)
	<-p.done
}

func (p *pipe) run() {
	defer close(p.done)
	defer p.c.guard("fault pipe")
	for ch := range p.in {
		if err := p.chain(p.c.byteFaults(p.dir), ch); err != nil {
			if !p.redisGone(err) {
				p.c.close()
			}
			// Drop the rest: senders stop once the connection is closed,
			// or (Redis gone) once finish closes in.
			for range p.in {
			}
			return
		}
	}
}

// redisGone reports a failed write to Redis: the connection is then left
// to the downstream side, which ends it after delivering Redis's last bytes.
func (p *pipe) redisGone(err error) bool {
	return p.dst == p.c.server && errors.Is(err, errWriteFailed)
}

func (p *pipe) chain(faults []ByteFault, ch Chunk) error {
	if len(faults) == 0 {
		return p.write(ch)
	}
	return faults[0].Pipe(p.s, ch, func(next Chunk) error {
		return p.chain(faults[1:], next)
	})
}

func (p *pipe) write(ch Chunk) error {
	if ch.EOF {
		p.c.endOfStream(p.dst)
		return nil
	}
	n, err := p.dst.Write(ch.Data)
	p.count.Add(int64(n))
	if err != nil {
		return fmt.Errorf("%w: %w", errWriteFailed, err)
	}
	return nil
}
