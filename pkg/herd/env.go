package herd

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/rescli/rescli/pkg/manager"
)

// env is what a strategy's services share during one run: where to dial,
// the clock origin, the counters, and the signal to stop steady load.
type env struct {
	cfg  *Config
	tgt  *server
	addr string           // the entry node's proxy
	dial manager.DialFunc // maps a node's address to its proxy
	t0   time.Time
	stop chan struct{} // closed when the steady phase ends
	// allSettled is closed when the last service settles.
	allSettled chan struct{}
	seed       uint64
	ids        []int // the services this process runs
	count      counts

	mu       sync.Mutex
	outcomes []outcome
}

// counts are totals over all services of one run.
type counts struct {
	commands atomic.Int64 // command attempts that reached a connection
	retries  atomic.Int64
	// rejectedSeen counts connections the clients saw refused with
	// maxclients, detected in their dialers.
	rejectedSeen atomic.Int64
	settled      atomic.Int64
	ready        atomic.Int64
	byClass      [32]atomic.Int64 // indexed by manager.Class
}

// outcome is one service's start-up result.
type outcome struct {
	result  string // ready, degraded, failed
	startup time.Duration
}

func (e *env) settle(o outcome) {
	e.mu.Lock()
	e.outcomes = append(e.outcomes, o)
	e.mu.Unlock()
	n := e.count.settled.Add(1)
	if n == int64(len(e.ids)) {
		close(e.allSettled)
	}
	if o.result != "failed" {
		e.count.ready.Add(1)
	}
	if e.cfg.Progress != nil {
		e.cfg.Progress(Progress{Settled: int(n), Total: len(e.ids)})
	}
}

func (e *env) noteErr(err error) {
	if err != nil {
		e.count.byClass[manager.Classify(err)].Add(1)
	}
}

// rng returns a deterministic source for service i of this run.
func (e *env) rng(i int) *rand.Rand { return rand.New(rand.NewPCG(e.seed, uint64(i)+1)) }

// deadline is when a service must be ready.
func (e *env) deadline() time.Time { return e.t0.Add(e.cfg.StartupTimeout) }

// countHook counts command attempts that reach a connection; it goes after
// the manager's breaker hook, so fail-fast calls are not counted.
type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// newClient builds a plain go-redis client for a naive-style service: a
// cluster client, with go-redis's cluster defaults, for a Cluster target.
func (e *env) newClient(mod func(*redis.Options)) redis.UniversalClient {
	o := e.tgt.clientOptions(e.tgt.entry(), e.addr)
	var base manager.DialFunc
	if e.tgt.cluster() {
		base = e.dial
	}
	observeDials(o, base, func() { e.count.rejectedSeen.Add(1) })
	// 4 KiB instead of go-redis's 32 KiB buffers: the warm-up values are
	// small, behaviour is the same, and 4,000 simulated clients that churn
	// through tens of thousands of rejected connections stay within memory.
	o.ReadBufferSize, o.WriteBufferSize = 4096, 4096
	// No maintenance notifications (a Redis Enterprise feature, as in
	// pkg/manager): each client would keep two goroutines and 10 KiB for
	// them — 8,000 goroutines and 40 MB at 4,000 services, a fifth of the
	// simulator's memory — and spend a round trip per new connection on a
	// handshake that no server here answers.
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	if mod != nil {
		mod(o)
	}
	var c redis.UniversalClient
	if e.tgt.cluster() {
		c = redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: e.tgt.topo.Addrs(), Username: o.Username, Password: o.Password,
			Dialer: o.Dialer, PoolSize: o.PoolSize, MaxActiveConns: o.MaxActiveConns,
			ReadBufferSize: o.ReadBufferSize, WriteBufferSize: o.WriteBufferSize,
			MaintNotificationsConfig: o.MaintNotificationsConfig,
		})
	} else {
		c = redis.NewClient(o)
	}
	c.AddHook(countHook{&e.count.commands})
	return c
}
