package manager

import (
	"sync/atomic"
	"time"
)

// rateWindow counts successes and failures in time buckets without locks; a
// bucket is reset when time wraps around to it. Small races at bucket edges
// only blur the rate a little, which a breaker tolerates.
type rateWindow struct {
	width   int64 // bucket width, nanoseconds
	buckets []rateBucket
}

type rateBucket struct {
	epoch     atomic.Int64
	successes atomic.Int64
	failures  atomic.Int64
}

func newRateWindow(window time.Duration, n int) *rateWindow {
	return &rateWindow{width: max(int64(window)/int64(n), 1), buckets: make([]rateBucket, n)}
}

func (w *rateWindow) add(now time.Time, failed bool) {
	e := now.UnixNano() / w.width
	bk := &w.buckets[e%int64(len(w.buckets))]
	if old := bk.epoch.Load(); old != e && bk.epoch.CompareAndSwap(old, e) {
		bk.successes.Store(0)
		bk.failures.Store(0)
	}
	if failed {
		bk.failures.Add(1)
	} else {
		bk.successes.Add(1)
	}
}

// failureRate returns failures/total and total over the window ending now.
func (w *rateWindow) failureRate(now time.Time) (float64, int64) {
	e := now.UnixNano() / w.width
	var ok, bad int64
	for i := range w.buckets {
		bk := &w.buckets[i]
		if ep := bk.epoch.Load(); ep > e-int64(len(w.buckets)) && ep <= e {
			ok += bk.successes.Load()
			bad += bk.failures.Load()
		}
	}
	if ok+bad == 0 {
		return 0, 0
	}
	return float64(bad) / float64(ok+bad), ok + bad
}
