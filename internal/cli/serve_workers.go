package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/manager"
)

// workers are serve's background services: each INCRs its own counter in
// Redis through the shared manager at a jittered rate, and
// falls back to a local counter when Redis is unavailable.
type workers struct {
	m        *manager.Manager
	n        int
	interval time.Duration

	cancel context.CancelFunc
	wg     sync.WaitGroup
	local  atomic.Int64 // the in-memory stand-in used while degraded
}

func newWorkers(m *manager.Manager, n int, rate float64) *workers {
	return &workers{m: m, n: n, interval: time.Duration(float64(time.Second) / rate)}
}

// start launches the workers; they run until stop.
func (w *workers) start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	for i := range w.n {
		w.wg.Go(func() { w.run(ctx, i) })
	}
	return nil
}

// stop cancels the workers and waits for them, within ctx.
func (w *workers) stop(ctx context.Context) error {
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop workers: %w", context.Cause(ctx))
	}
}

func (w *workers) run(ctx context.Context, id int) {
	key := fmt.Sprintf("rescli:serve:worker:%d", id)
	// Each worker waits a random part of its interval first and then ±50%
	// each time, so that the workers never act in step.
	next := time.Duration(rand.Int64N(int64(w.interval) + 1))
	t := time.NewTimer(next)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.once(ctx, key)
		t.Reset(w.interval/2 + time.Duration(rand.Int64N(int64(w.interval)+1)))
	}
}

// once is one unit of work: INCR a counter, degraded to a local one.
func (w *workers) once(ctx context.Context, key string) {
	opCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	// The manager counts requests and fallbacks (Snapshot, /metrics).
	_, _, _ = manager.Get(opCtx, w.m,
		func(ctx context.Context, c redis.UniversalClient) (int64, error) { return c.Incr(ctx, key).Result() },
		func(context.Context, error) (int64, error) { return w.local.Add(1), nil })
}
