package chaos

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is one named TCP proxy in front of one Redis upstream. Its methods
// are safe for concurrent use; faults can be added, changed and removed
// while connections flow.
type Proxy struct {
	name     string
	upstream string
	opts     options

	mu       sync.Mutex
	listen   string // as asked; after Start, the resolved address
	listener net.Listener
	enabled  bool
	downs    int // ProxyFaults currently holding the proxy down
	started  bool
	closed   bool
	conns    map[uint64]*conn
	nextConn uint64
	nextSeq  uint64
	runners  map[uint64]runner // ProxyFault goroutines by seq

	faults  atomic.Pointer[faultSet]
	loading atomic.Bool
	// sleepLate is how late kernel sleeps wake, on average (ns),
	// sleepers how many goroutines sleep in the kernel now and sleepSlots
	// how many may (GOMAXPROCS-1 when the proxy was made; see WaitUntil).
	sleepLate  atomic.Int64
	sleepers   atomic.Int64
	sleepSlots int64
	change     atomic.Pointer[chan struct{}]
	stats      counters

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewProxy returns a proxy that will listen on listen (e.g. "127.0.0.1:0")
// and forward to upstream once started.
func NewProxy(name, listen, upstream string, opts ...Option) *Proxy {
	p := &Proxy{
		name: name, upstream: upstream, listen: listen, opts: buildOptions(opts),
		enabled: true, conns: map[uint64]*conn{}, runners: map[uint64]runner{},
		sleepSlots: int64(runtime.GOMAXPROCS(0) - 1),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.faults.Store(newFaultSet(nil))
	ch := make(chan struct{})
	p.change.Store(&ch)
	return p
}

// Name is the proxy's name.
func (p *Proxy) Name() string { return p.name }

// Upstream is the address the proxy forwards new connections to.
func (p *Proxy) Upstream() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.upstream
}

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
	p.mu.Lock()
	p.upstream = addr
	p.mu.Unlock()
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
	if p.listener != nil {
		_ = p.listener.Close()
		p.listener = nil
	}
	for _, c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return nil
}

// reconcileLocked opens or closes the listener to match enabled/down.
func (p *Proxy) reconcileLocked() error {
	want := p.started && !p.closed && p.enabled && p.downs == 0
	switch {
	case want && p.listener == nil:
		// No TCP keep-alive probes: they cost three setsockopt calls per
		// connection, and Redis keeps its own on its side.
		lc := net.ListenConfig{KeepAlive: -1}
		l, err := lc.Listen(context.Background(), "tcp", p.listen)
		if err != nil {
			return fmt.Errorf("%w on %s: %w", ErrListen, p.listen, err)
		}
		p.listener, p.listen = l, l.Addr().String()
		p.wg.Add(1)
		go p.acceptLoop(l)
	case !want && p.listener != nil:
		_ = p.listener.Close()
		p.listener = nil
		for _, c := range p.conns {
			c.close()
		}
	}
	return nil
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
	p.mu.Lock()
	conns := make([]*conn, 0, len(p.conns))
	for _, c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	var acks []chan struct{}
	for _, c := range conns {
		acks = append(acks, c.kick()...)
		c.syncWatchers()
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
	p.mu.Lock()
	out := make([]ConnInfo, 0, len(p.conns))
	for _, c := range p.conns {
		out = append(out, c.info())
	}
	p.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// KillConnection closes one client connection by id.
func (p *Proxy) KillConnection(id uint64) error {
	p.mu.Lock()
	c, ok := p.conns[id]
	p.mu.Unlock()
	if !ok {
		return fmt.Errorf("kill connection %d: %w", id, ErrConnNotFound)
	}
	c.close()
	return nil
}
