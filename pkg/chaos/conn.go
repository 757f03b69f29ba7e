package chaos

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one client connection and its upstream. While no fault concerns
// it, the event loop holds its sockets (loop_*.go; Linux). Otherwise
// goroutines serve it: each direction passes bytes through unread
// (passThrough) and moves to the inspecting path while a fault concerns
// it; a fault change interrupts the passing through with a past read
// deadline. Once neither direction inspects, the connection goes back to
// the loop.
//
// The proxy is written here rather than built on Toxiproxy: its engine
// moves every chunk through a chain of goroutines and channels even with no
// toxic (0.4–0.5× direct throughput on loopback), has no hook at the level
// of Redis requests, and is not made to be embedded as a library.
type conn struct {
	id     uint64
	p      *Proxy
	client *net.TCPConn // nil while the loop holds the sockets
	server *net.TCPConn // set once dialled; nil while the loop holds the sockets
	peer   net.Addr     // the client's address, when accepted by the goroutine path
	since  time.Time
	done   chan struct{} // closed by close
	once   sync.Once

	mu       sync.Mutex
	cond     sync.Cond
	inLoop   bool   // the event loop holds the sockets
	lc       *lconn // the connection's state in the loop, kept across moves
	toLoop   bool   // both directions pass through: end them and move to the loop
	upEnded  bool   // the upstream side ended (client EOF, or Redis stopped taking bytes)
	upFast   bool   // up is (about to be) in io.Copy
	downFast bool
	upAck    chan struct{} // closed when a kicked io.Copy returned
	downAck  chan struct{}
	upSlow   bool // up parses requests: down must frame replies
	downSlow bool
	// Made on first use: most connections never see a fault, and
	// connection churn is the path to keep cheap.
	state    map[stateKey]any
	seen     map[uint64]bool // faults counted on this connection
	watchers map[uint64]context.CancelFunc
	slots    chan slot     // up → down: stand-ins sent to Redis, in order
	upLeft   chan struct{} // up → down: upstream went back to passing through
	queue    []slot        // stand-ins whose answers have not come back
	standIns uint64        // stand-ins sent so far (upstream goroutine only)
	wg       sync.WaitGroup

	upRand      *rand.Rand    // per-request draws, made on first inspection
	opaque      atomic.Bool   // not RESP, or pub/sub: pass bytes, no Redis faults
	leavingDown atomic.Bool   // the reply reader was stopped on purpose
	downExit    chan struct{} // closed when the downstream side of a session ends
}

// past is a read deadline that interrupts a blocked io.Copy at once.
var past = time.Unix(1, 0)

func newConn(p *Proxy, id uint64, client *net.TCPConn) *conn {
	c := &conn{id: id, p: p, client: client, since: p.opts.clock.Now(), done: make(chan struct{})}
	if client != nil {
		c.peer = client.RemoteAddr()
	}
	c.cond.L = &c.mu
	return c
}

// run serves a connection on goroutines from its dial on.
func (c *conn) run() {
	moved := false
	defer func() {
		if !moved {
			c.finish()
		}
	}()
	defer c.guard("connection")
	// No dial timeout: it costs a timer and two deadline calls per
	// connection; Close cancels a dial through the proxy's context.
	d := net.Dialer{KeepAlive: -1}
	nc, err := d.DialContext(c.p.ctx, "tcp", c.p.Upstream())
	if err != nil {
		c.p.stats.dialErrors.Add(1)
		return
	}
	c.mu.Lock()
	c.server = nc.(*net.TCPConn)
	closed := c.closed()
	c.mu.Unlock()
	if closed { // while dialling
		_ = nc.Close()
		return
	}
	moved = c.serve(handoff{})
}

// serve runs sessions of the two directions until the connection ends, or
// moves to the loop (reported true).
func (c *conn) serve(h handoff) (moved bool) {
	for {
		c.session(h)
		h = handoff{}
		c.mu.Lock()
		if !c.toLoop || c.closed() {
			c.mu.Unlock()
			return false
		}
		c.toLoop = false
		moved = c.p.loop.adopt(c)
		c.mu.Unlock()
		if moved {
			return true
		}
	}
}

// session runs both directions on goroutines until both have ended.
func (c *conn) session(h handoff) {
	c.mu.Lock()
	c.upEnded = false
	c.downExit = make(chan struct{})
	c.mu.Unlock()
	c.syncWatchers()
	upDone := make(chan struct{})
	c.wg.Add(1) // finish waits for it even when this goroutine panicked
	go func() {
		defer c.wg.Done()
		defer close(upDone)
		defer c.guard("upstream side")
		c.upLoop(h.toServer, h.heldToServer, h.request, h.resync)
		c.mu.Lock()
		c.upEnded = !c.toLoop
		c.mu.Unlock()
	}()
	c.downLoop(h.toClient, h.heldToClient)
	close(c.downExit)
	<-upDone
}

// close ends the connection: both sockets, every goroutine of it.
func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.mu.Lock()
		if c.inLoop {
			c.p.loop.closeLater(c.lc)
		}
		for _, nc := range []*net.TCPConn{c.client, c.server} {
			if nc != nil {
				_ = nc.Close()
			}
		}
		for _, stop := range c.watchers {
			stop()
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	})
}

// closedByLoop finishes a connection the loop closed.
func (c *conn) closedByLoop() {
	c.once.Do(func() { close(c.done) })
	c.mu.Lock()
	c.inLoop = false
	c.mu.Unlock()
	c.p.leave(c)
}

// needsGoroutines reports whether a fault concerns this connection, so
// that the loop must hand it to the goroutine path. Latency faults do not
// (the loop plays them itself, loop_delay_linux.go), nor Redis-level faults
// (the loop frames requests and hands over at one a fault acts on,
// loop_inspect_linux.go), but not both at once.
func (c *conn) needsGoroutines() bool {
	p := c.p
	set := p.faults.Load()
	if !set.bytes && len(set.requests) == 0 && !p.loading.Load() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	framed := c.redisActive()
	if framed && (p.loading.Load() || p.opts.noLoopFraming) {
		return true // LOADING answers every request: goroutines at once
	}
	_, wall := p.opts.clock.(realClock)
	for _, in := range set.all {
		switch in.fault.(type) {
		case *Latency:
			// The loop times latency on the wall clock only, and does not
			// frame requests under it (a hand-over would let held bytes go).
			if (!wall || framed) && c.hitsLocked(in) {
				return true
			}
		case ByteFault, ConnFault:
			if c.hitsLocked(in) {
				return true
			}
		}
	}
	return false
}

// endOfStream passes on an EOF towards dst. The client may half-close and
// still read replies, so Redis gets a FIN; once Redis closed, nothing more
// can come, and the whole connection is closed (one syscall less than a
// shutdown per side, which counts under connection churn).
func (c *conn) endOfStream(dst *net.TCPConn) {
	if dst == c.server {
		_ = dst.CloseWrite()
		return
	}
	c.close()
}

func (c *conn) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// slotsLocked returns the up → down channel, making it on first use.
func (c *conn) slotsLocked() chan slot {
	if c.slots == nil {
		c.slots, c.upLeft = make(chan slot, 256), make(chan struct{}, 1)
	}
	return c.slots
}

// finish ends a connection served on goroutines.
func (c *conn) finish() {
	c.close()
	c.wg.Wait()
	c.p.leave(c)
}

// redisActive reports whether requests on this connection must be parsed
// for Redis-level faults.
func (c *conn) redisActive() bool {
	if c.opaque.Load() {
		return false
	}
	return c.p.loading.Load() || len(c.p.faults.Load().requests) > 0
}

func (c *conn) hasByteFaultsLocked(d Direction) bool {
	set := c.p.faults.Load()
	if !set.bytes {
		return false
	}
	for _, in := range set.all {
		if _, ok := in.fault.(ByteFault); ok && in.flows(d) && c.hitsLocked(in) {
			return true
		}
	}
	return false
}

// hitsLocked makes (once) and returns this connection's toxicity draw for
// in, counting the fault the first time it acts here.
func (c *conn) hitsLocked(in *instance) bool {
	if !draw(c.p.opts.seed, c.id, in) {
		return false
	}
	if !c.seen[in.seq] {
		if c.seen == nil {
			c.seen = map[uint64]bool{}
		}
		c.seen[in.seq] = true
		in.injected.Add(1)
	}
	return true
}

// byteFaults returns the byte faults acting on direction d now, in order.
func (c *conn) byteFaults(d Direction) []ByteFault {
	set := c.p.faults.Load()
	if !set.bytes {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ByteFault
	for _, in := range set.all {
		if bf, ok := in.fault.(ByteFault); ok && in.flows(d) && c.hitsLocked(in) {
			out = append(out, bf)
		}
	}
	return out
}

// active reports whether f is still set and acting on this connection.
func (c *conn) active(f Fault) bool {
	for _, in := range c.p.faults.Load().all {
		if in.fault == f {
			return draw(c.p.opts.seed, c.id, in)
		}
	}
	return false
}

func (c *conn) stream(d Direction, salt uint64) *Stream {
	return &Stream{Dir: d, c: c, Rand: rand.New(rand.NewPCG(c.p.opts.seed, c.id<<16|salt<<1|uint64(d)))}
}

// latencies returns the latency faults acting on direction d, in order.
func (c *conn) latencies(d Direction) []*Latency {
	var out []*Latency
	for _, f := range c.byteFaults(d) {
		if l, ok := f.(*Latency); ok {
			out = append(out, l)
		}
	}
	return out
}
