package scenario

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/manager"
)

// bucket is how finely the workload's outcomes are kept.
const bucket = 100 * time.Millisecond

// workload drives a steady load through a manager and counts outcomes in
// time buckets, so probes can ask for goodput and error rate over a window.
type workload struct {
	m    *manager.Manager
	t0   time.Time
	mu   sync.Mutex
	ok   map[int64]int
	bad  map[int64]int
	stop chan struct{}
	wg   sync.WaitGroup
}

func startWorkload(m *manager.Manager, l Load) *workload {
	w := &workload{m: m, t0: time.Now(), ok: map[int64]int{}, bad: map[int64]int{}, stop: make(chan struct{})}
	interval := time.Duration(int64(time.Second) * int64(l.Workers) / int64(l.Rate))
	for i := range l.Workers {
		w.wg.Add(1)
		go w.worker(i, interval)
	}
	return w
}

func (w *workload) worker(id int, interval time.Duration) {
	defer w.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	// Sixteen keys a worker, so that on a Cluster the load reaches every
	// shard and a fault on one shard shows as a share of the goodput.
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = fmt.Sprintf("rescli:scenario:w%d:%d", id, i)
	}
	for n := 0; ; n++ {
		key := keys[n%len(keys)]
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := w.m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error {
			if err := c.Set(ctx, key, n, time.Minute).Err(); err != nil {
				return err
			}
			return c.Get(ctx, key).Err()
		})
		cancel()
		w.record(err == nil)
	}
}

func (w *workload) record(ok bool) {
	b := int64(time.Since(w.t0) / bucket)
	w.mu.Lock()
	if ok {
		w.ok[b]++
	} else {
		w.bad[b]++
	}
	w.mu.Unlock()
}

// over returns successes and failures in the window ending now (the
// current, partial bucket excluded).
func (w *workload) over(window time.Duration) (ok, bad int) {
	end := int64(time.Since(w.t0) / bucket)
	start := end - int64(window/bucket)
	w.mu.Lock()
	defer w.mu.Unlock()
	for b := max(start, 0); b < end; b++ {
		ok += w.ok[b]
		bad += w.bad[b]
	}
	return ok, bad
}

// goodput is successful operations per second over window.
func (w *workload) goodput(window time.Duration) float64 {
	ok, _ := w.over(window)
	return float64(ok) / window.Seconds()
}

func (w *workload) errorRate(window time.Duration) float64 {
	ok, bad := w.over(window)
	if ok+bad == 0 {
		return 0
	}
	return float64(bad) / float64(ok+bad)
}

func (w *workload) close() {
	close(w.stop)
	w.wg.Wait()
}
