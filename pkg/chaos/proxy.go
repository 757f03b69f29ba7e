package chaos

import (
	"context"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is one named TCP proxy in front of one Redis upstream. Its methods
// are safe for concurrent use; faults can be added, changed and removed
// while connections flow.
type Proxy struct {
	name string
	opts options
	up   atomic.Pointer[upstream]

	mu        sync.Mutex
	listen    string       // as asked; after Start, the resolved address
	listening bool         // a socket listens (on the loop, or listener)
	listener  net.Listener // the goroutine path's: always without the loop, else while an accept fault is set
	lis       *llistener   // the listening socket in the loop
	loop      *evloop      // the event loop, from Start to Close; nil: goroutines only
	loopUsers sync.WaitGroup
	enabled   bool
	downs     int // ProxyFaults currently holding the proxy down
	started   bool
	closed    bool
	nextSeq   uint64
	runners   map[uint64]runner // ProxyFault goroutines by seq

	connsMu  sync.Mutex // taken alone: the loop takes it, and never mu
	conns    map[uint64]*conn
	nextConn atomic.Uint64

	faults  atomic.Pointer[faultSet]
	loading atomic.Bool
	change  atomic.Pointer[chan struct{}]
	stats   counters

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewProxy returns a proxy that will listen on listen (e.g. "127.0.0.1:0")
// and forward to upstream once started.
func NewProxy(name, listen, upstream string, opts ...Option) *Proxy {
	p := &Proxy{
		name: name, listen: listen, opts: buildOptions(opts),
		enabled: true, conns: map[uint64]*conn{}, runners: map[uint64]runner{},
	}
	p.SetUpstream(upstream)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.faults.Store(newFaultSet(nil))
	ch := make(chan struct{})
	p.change.Store(&ch)
	return p
}

// Name is the proxy's name.
func (p *Proxy) Name() string { return p.name }

// upstream is where new connections go: the address, and what the loop
// dials for it (nil: a name, resolved by the goroutine path's dialer).
type upstream struct {
	addr   string
	sa     any
	family int
}

// Upstream is the address the proxy forwards new connections to.
func (p *Proxy) Upstream() string { return p.up.Load().addr }

// Addr is the address the proxy listens on; after Start it is the resolved
// one (a real port instead of :0).
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listen
}

// Enabled reports whether the proxy accepts connections (Toxiproxy's
// enabled flag).
func (p *Proxy) Enabled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enabled
}

// Start listens and accepts connections until Close. Faults added before
// Start are in force for the first connection.
func (p *Proxy) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.started {
		return nil
	}
	p.started = true
	if !p.opts.noLoop {
		p.loop = acquireLoop()
	}
	return p.reconcileLocked()
}

// SetEnabled starts or stops listening; disabling drops every connection.
func (p *Proxy) SetEnabled(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.enabled = on
	return p.reconcileLocked()
}

// SetUpstream changes the address new connections are forwarded to.
func (p *Proxy) SetUpstream(addr string) {
	sa, family := loopAddr(addr)
	p.up.Store(&upstream{addr: addr, sa: sa, family: family})
}

// Close stops listening, ends every connection and fault goroutine and
// waits for them: nothing is left behind.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.unlistenLocked()
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.mu.Lock()
	l := p.loop
	p.loop = nil
	p.mu.Unlock()
	if l != nil {
		p.loopUsers.Wait()
		l.release()
	}
	return nil
}

// reconcileLocked opens or closes the listener to match enabled/down.
func (p *Proxy) reconcileLocked() error {
	want := p.started && !p.closed && p.enabled && p.downs == 0
	switch {
	case want && !p.listening:
		// No TCP keep-alive probes: they cost three setsockopt calls per
		// connection, and Redis keeps its own on its side.
		lc := net.ListenConfig{KeepAlive: -1}
		l, err := lc.Listen(context.Background(), "tcp", p.listen)
		if err != nil {
			return fmt.Errorf("%w on %s: %w", ErrListen, p.listen, err)
		}
		p.listen, p.listening = l.Addr().String(), true
		if p.loop != nil {
			lis, err := p.loop.listen(p, l, p.acceptFaulted())
			if err == nil {
				p.lis = lis
				p.syncAcceptorLocked()
				return nil
			}
		}
		p.listener = l
		p.wg.Add(1)
		go p.acceptLoop(l)
	case !want && p.listening:
		p.unlistenLocked()
	}
	return nil
}

// unlistenLocked closes the listening socket and every connection.
func (p *Proxy) unlistenLocked() {
	p.listening = false
	if p.listener != nil {
		_ = p.listener.Close()
		p.listener = nil
	}
	if p.lis != nil {
		p.loop.unlisten(p.lis)
		p.lis = nil
	}
	p.connsMu.Lock()
	for _, c := range p.conns {
		c.close()
	}
	p.connsMu.Unlock()
}

func (p *Proxy) acceptFaulted() bool { return len(p.faults.Load().accepts) > 0 }

// syncAcceptorLocked hands accepting to the goroutine path while an accept
// fault is set and back to the loop once none is: those faults wait on the
// proxy's clock and answer in Redis's words, and are rare.
func (p *Proxy) syncAcceptorLocked() {
	if p.lis == nil {
		return
	}
	want := p.acceptFaulted()
	switch {
	case want && p.listener == nil:
		l, err := p.loop.goListener(p.lis)
		if err != nil {
			p.opts.log.Error("chaos: accept faults not played: no listener for them", "proxy", p.name, "err", err)
			return
		}
		p.listener = l
		p.wg.Add(1)
		go p.acceptLoop(l)
	case !want && p.listener != nil:
		_ = p.listener.Close()
		p.listener = nil
		p.loop.acceptHere(p.lis)
	}
}

func (p *Proxy) setDown(down bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if down {
		p.downs++
	} else if p.downs > 0 {
		p.downs--
	}
	return p.reconcileLocked()
}

func (p *Proxy) setLoading(on bool) {
	p.loading.Store(on)
	p.notify()
}

// changed returns a channel closed at the next change of faults or state.
func (p *Proxy) changed() <-chan struct{} { return *p.change.Load() }

// notify wakes every waiter and moves connections that pass bytes through
// onto the inspecting path when a fault now concerns them.
func (p *Proxy) notify() {
	ch := make(chan struct{})
	close(*p.change.Swap(&ch))
	p.connsMu.Lock()
	conns := make([]*conn, 0, len(p.conns))
	for _, c := range p.conns {
		conns = append(conns, c)
	}
	p.connsMu.Unlock()
	var acks []chan struct{}
	for _, c := range conns {
		acks = append(acks, c.kick()...)
		c.syncWatchers()
	}
	p.mu.Lock()
	l := p.loop
	if l != nil {
		p.loopUsers.Add(1)
	}
	p.mu.Unlock()
	if l != nil {
		l.reconsider(p)
		p.loopUsers.Done()
	}
	// Wait until the interrupted copies returned, so that a fault covers
	// every byte sent after AddToxic returns; bounded, because a copy
	// blocked writing to a client that does not read cannot be interrupted.
	timeout := time.NewTimer(kickWait)
	defer timeout.Stop()
	for _, ack := range acks {
		select {
		case <-ack:
		case <-timeout.C:
			return
		}
	}
}

// kickWait bounds how long a fault change waits for passing-through
// connections to notice it.
const kickWait = 250 * time.Millisecond

// Connections lists the open client connections, oldest first.
func (p *Proxy) Connections() []ConnInfo {
	p.connsMu.Lock()
	conns := make([]*conn, 0, len(p.conns))
	for _, c := range p.conns {
		conns = append(conns, c)
	}
	p.connsMu.Unlock()
	out := make([]ConnInfo, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// KillConnection closes one client connection by id.
func (p *Proxy) KillConnection(id uint64) error {
	p.connsMu.Lock()
	c, ok := p.conns[id]
	p.connsMu.Unlock()
	if !ok {
		return fmt.Errorf("kill connection %d: %w", id, ErrConnNotFound)
	}
	c.close()
	return nil
}
