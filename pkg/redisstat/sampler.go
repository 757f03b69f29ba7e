package redisstat

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/target"
)

// MinEvery is the shortest INFO interval per node: the panel must never be
// the load it watches.
const MinEvery = time.Second

// Options tune a Sampler. Zero values mean defaults.
type Options struct {
	// Every is the INFO interval per node (default and minimum 1s). The
	// caller calls Sample at most this often; Sample itself never reads a
	// node twice within Every.
	Every time.Duration
	// SlowEvery is how often LATENCY LATEST and SLOWLOG GET are read
	// (default 5×Every).
	SlowEvery time.Duration
	// ResolveEvery is how often a Sentinel or Cluster target is resolved
	// again (default 5s); MasterHint, when set, is asked at every Sample and
	// a master other than the one known resolves at once.
	ResolveEvery time.Duration
	MasterHint   func() string
	// Slowlog is how many slow-log entries are read per node (default 5).
	Slowlog int
	// HitWindow is the window of the hit ratio (default 10s).
	HitWindow time.Duration
	// Now tells the time (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	o.Every = max(o.Every, MinEvery)
	if o.SlowEvery <= 0 {
		o.SlowEvery = 5 * o.Every
	}
	if o.ResolveEvery <= 0 {
		o.ResolveEvery = 5 * time.Second
	}
	if o.Slowlog <= 0 {
		o.Slowlog = 5
	}
	if o.HitWindow <= 0 {
		o.HitWindow = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Sampler reads every data node of one target. Sample is called from one
// goroutine at a time; Close ends it.
type Sampler struct {
	tgt  target.Target
	opts Options

	topo       *target.Topology
	resolvedAt time.Time
	resolveErr string
	master     string
	prevMaster string
	masterAt   time.Time
	started    time.Time
	slowAt     time.Time
	nodes      map[string]*nodeState
	last       Sample
}

// New returns a Sampler of t; it dials nothing until the first Sample.
func New(t target.Target, o Options) *Sampler {
	o.defaults()
	return &Sampler{tgt: t, opts: o, nodes: map[string]*nodeState{}}
}

// Every is the INFO interval per node the Sampler keeps to.
func (s *Sampler) Every() time.Duration { return s.opts.Every }

// Sample resolves the target when due, then reads every node at once (INFO
// each time; LATENCY LATEST and SLOWLOG GET when due) and returns what they
// said. It never fails: what could not be read is said in Err fields.
func (s *Sampler) Sample(ctx context.Context) Sample {
	now := s.opts.Now()
	if !s.last.At.IsZero() && now.Sub(s.last.At) < s.opts.Every*9/10 {
		return s.last // called too soon (a ticker's jitter is allowed for)
	}
	if s.started.IsZero() {
		s.started = now
	}
	s.resolve(ctx, now)
	slow := s.slowAt.IsZero() || now.Sub(s.slowAt) >= s.opts.SlowEvery
	if slow {
		s.slowAt = now
	}
	out := Sample{At: now, Kind: s.tgt.Resolved(), Started: s.started, Every: s.opts.Every, Master: s.master, PrevMaster: s.prevMaster,
		MasterSince: s.masterAt, Err: s.resolveErr}
	if s.topo == nil {
		s.last = out
		return out
	}
	out.Via = s.topo.Via
	out.Nodes = make([]Node, len(s.topo.Nodes))
	var wg sync.WaitGroup
	for i, n := range s.topo.Nodes {
		st := s.node(n.Addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out.Nodes[i] = st.read(ctx, n.Addr, now, string(n.Role), slow, s.opts)
		}()
	}
	wg.Wait()
	replicationLag(out.Nodes, s.nodes)
	s.last = out
	return out
}

// resolve asks the deployment what it is when due: at the start, every
// ResolveEvery for Sentinel and Cluster, and when MasterHint names a master
// other than the one known. A failed resolve keeps the nodes known.
func (s *Sampler) resolve(ctx context.Context, now time.Time) {
	kind := s.tgt.Resolved()
	// a failed first resolve is tried again on the cadence, not every sample
	due := s.resolvedAt.IsZero() || (kind != target.Standalone || s.topo == nil) && now.Sub(s.resolvedAt) >= s.opts.ResolveEvery
	if kind == target.Sentinel && s.opts.MasterHint != nil {
		if h := s.opts.MasterHint(); h != "" && h != s.master {
			due = true
		}
	}
	if !due {
		return
	}
	s.resolvedAt = now
	topo, err := s.tgt.Resolve(ctx)
	if err != nil {
		s.resolveErr = redact.String(err.Error())
		return
	}
	s.topo, s.resolveErr = topo, ""
	if m, ok := topo.Master(); ok && m.Addr != s.master {
		if s.master != "" {
			s.prevMaster, s.masterAt = s.master, now
		}
		s.master = m.Addr
	}
	for addr, st := range s.nodes { // a node gone from the topology: its connection goes too
		if _, ok := topo.Node(addr); !ok {
			_ = st.c.Close()
			delete(s.nodes, addr)
		}
	}
}

// node is addr's state, its connection made on first use: one per node,
// kept open, a pool of one, no hidden retries.
func (s *Sampler) node(addr string) *nodeState {
	if st, ok := s.nodes[addr]; ok {
		return st
	}
	o := target.ToolOptions(s.tgt.DataOptions(addr))
	o.PoolSize, o.MaxIdleConns = 1, 1
	st := &nodeState{c: redis.NewClient(o), denied: map[string]string{}}
	s.nodes[addr] = st
	return st
}

// Close closes every connection.
func (s *Sampler) Close() {
	for addr, st := range s.nodes {
		_ = st.c.Close()
		delete(s.nodes, addr)
	}
}
