package herd

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// A strategy starts all services of one run and returns once each has
// settled (ready, degraded or failed). It starts their steady load and
// returns a cleanup that stops it and closes every client.
type strategy struct {
	describe string
	start    func(e *env) (cleanup func())
}

var strategies = map[string]strategy{
	"naive":       {"a go-redis client per service with defaults, all at t=0, failures retried at once", startNaive},
	"shared-pool": {"one pool of 20 per replica, no breaker, no jitter, failures retried at once", startSharedPool},
	"jitter":      {"a client per service, start jitter and jittered backoff, no shared pool", startJitter},
	"managed":     {"one pkg/manager per replica (pool 20, breaker, budgeted retries), orchestrated start with jitter", startManaged},
}

// StrategyNames lists the strategies in a stable order.
func StrategyNames() []string { return []string{"naive", "shared-pool", "jitter", "managed"} }

// StrategyHelp describes each strategy in one line.
func StrategyHelp(name string) string { return strategies[name].describe }

// plainService runs one service with its own or a shared client.
func plainService(e *env, id int, c redis.UniversalClient, delay time.Duration, run runOp, wg *sync.WaitGroup) {
	defer wg.Done()
	if delay > 0 {
		time.Sleep(delay)
	}
	ctx, cancel := context.WithDeadline(context.Background(), e.deadline())
	err := warmup(ctx, e, id, run)
	cancel()
	if err != nil {
		e.settle(outcome{result: "failed"})
		return
	}
	e.settle(outcome{result: "ready", startup: time.Since(e.t0)})
	steady(e, id, func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error {
		return op(ctx, c)
	})
}

func startNaive(e *env) func() {
	var wg sync.WaitGroup
	clients := make([]redis.UniversalClient, len(e.ids))
	for k := range clients {
		clients[k] = e.newClient(nil) // go-redis defaults
	}
	for k, c := range clients {
		wg.Add(1)
		go plainService(e, e.ids[k], c, 0, immediate(e, c), &wg)
	}
	return closeAll(&wg, clients)
}

func startSharedPool(e *env) func() {
	var wg sync.WaitGroup
	clients := make(map[int]redis.UniversalClient)
	for r := range e.cfg.Replicas {
		if e.cfg.runsReplica(r) {
			clients[r] = e.newClient(func(o *redis.Options) { o.PoolSize, o.MaxActiveConns = 20, 20 })
		}
	}
	for _, i := range e.ids {
		c := clients[e.cfg.replicaOf(i)]
		wg.Add(1)
		go plainService(e, i, c, 0, immediate(e, c), &wg)
	}
	return closeAll(&wg, slices.Collect(maps.Values(clients)))
}

func startJitter(e *env) func() {
	var wg sync.WaitGroup
	clients := make([]redis.UniversalClient, len(e.ids))
	for k := range clients {
		clients[k] = e.newClient(nil)
	}
	// The window is the whole herd's, split or not: a service starts at the
	// same moment wherever it runs.
	spread := startSpread(e.cfg.Services)
	for k, c := range clients {
		i := e.ids[k]
		r := e.rng(i)
		wg.Add(1)
		go plainService(e, i, c, time.Duration(r.Int64N(int64(spread))), backoffRetry(e, i, func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error {
			return op(ctx, c)
		}), &wg)
	}
	return closeAll(&wg, clients)
}

// startSpread is the window start jitter spreads services over.
func startSpread(services int) time.Duration {
	return min(2*time.Second, max(100*time.Millisecond, time.Duration(services)*5*time.Millisecond))
}

// backoffRetry retries through call with the configured backoff policy
// until the deadline.
func backoffRetry(e *env, id int, call func(context.Context, func(context.Context, redis.UniversalClient) error) error) runOp {
	r := e.rng(id + 1_000_000)
	var mu sync.Mutex // the warm-up runs this service's ops concurrently
	return func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error {
		prev := 25 * time.Millisecond
		for n := 1; ; n++ {
			err := call(ctx, op)
			if err == nil {
				return nil
			}
			e.noteErr(err)
			mu.Lock()
			prev = Sleep(e.cfg.Backoff, r, n, prev, 25*time.Millisecond, time.Second)
			mu.Unlock()
			if time.Now().Add(prev).After(e.deadline()) || ctx.Err() != nil {
				return err
			}
			e.count.retries.Add(1)
			time.Sleep(prev)
		}
	}
}

func closeAll(wg *sync.WaitGroup, clients []redis.UniversalClient) func() {
	return func() {
		wg.Wait()
		for _, c := range clients {
			_ = c.Close()
		}
	}
}

// startManaged runs one orchestrator per replica: a critical redis_manager
// service (the manager answers PING) and the simulated services, which are
// non-critical: if Redis stays unavailable past their start timeout they
// start degraded instead of failing.
func startManaged(e *env) func() {
	var wg, replicas sync.WaitGroup
	var managers []*manager.Manager
	var mu sync.Mutex
	for r := range e.cfg.Replicas {
		if !e.cfg.runsReplica(r) {
			continue
		}
		m, err := manager.New(manager.Options{
			Name: fmt.Sprintf("replica-%d", r), Target: e.tgt.serviceTarget(), Dialer: e.dial,
			PoolSize: 20, Seed: e.seed + uint64(r),
			Breaker: manager.BreakerSettings{OpenTimeout: 500 * time.Millisecond, MaxOpenTimeout: 2 * time.Second},
		})
		if err != nil { // options are built here, so this is a bug
			panic(err)
		}
		m.Client().AddHook(countHook{&e.count.commands})
		mu.Lock()
		managers = append(managers, m)
		mu.Unlock()
		replicas.Add(1)
		go func() {
			defer replicas.Done()
			runReplica(e, r, m, &wg)
		}()
	}
	return func() {
		replicas.Wait()
		wg.Wait()
		for _, m := range managers {
			e.count.rejectedSeen.Add(int64(m.Snapshot().MaxClientsRejections))
			_ = m.Close()
		}
	}
}

func runReplica(e *env, replica int, m *manager.Manager, wg *sync.WaitGroup) {
	var ids []int
	for _, i := range e.ids {
		if e.cfg.replicaOf(i) == replica {
			ids = append(ids, i)
		}
	}
	settled := make(map[int]bool, len(ids))
	var mu sync.Mutex
	mark := func(id int, o outcome) {
		mu.Lock()
		defer mu.Unlock()
		if !settled[id] {
			settled[id] = true
			e.settle(o)
		}
	}
	do := func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error {
		return m.Do(ctx, op)
	}
	services := []orchestrate.Service{{
		Name: "redis_manager", Critical: true, StartTimeout: e.cfg.StartupTimeout,
		Start: func(ctx context.Context) error {
			return backoffRetry(e, -1-replica, do)(ctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() })
		},
	}}
	for _, id := range ids {
		services = append(services, orchestrate.Service{
			Name: fmt.Sprintf("svc-%04d", id), DependsOn: []string{"redis_manager"}, StartTimeout: e.cfg.StartupTimeout,
			Start: func(ctx context.Context) error {
				ctx, cancel := context.WithDeadline(ctx, e.deadline())
				defer cancel()
				if err := warmup(ctx, e, id, backoffRetry(e, id, do)); err != nil {
					mark(id, outcome{result: "degraded", startup: time.Since(e.t0)})
					return err
				}
				mark(id, outcome{result: "ready", startup: time.Since(e.t0)})
				wg.Add(1)
				go func() { defer wg.Done(); steady(e, id, do) }()
				return nil
			},
		})
	}
	o, err := orchestrate.New(services, orchestrate.Options{
		MaxConcurrent: 8, Jitter: startSpread(len(ids)) / 4, Seed: e.seed + uint64(replica),
	})
	if err != nil { // the graph is built here: a bug, not a run-time failure
		panic(fmt.Sprintf("herd: build orchestrator: %v", err))
	}
	_, _ = o.Run(context.Background()) // a critical failure shows as failed services below
	mu.Lock()
	var left []int
	for _, id := range ids {
		if !settled[id] {
			left = append(left, id)
		}
	}
	mu.Unlock()
	sort.Ints(left)
	for _, id := range left { // never started: the critical redis_manager failed
		mark(id, outcome{result: "failed"})
	}
}
