package manager

import (
	"fmt"
	"sync/atomic"
	"time"
)

// rateWindow counts calls, failures and slow calls in time buckets without
// locks; a bucket is reset when time wraps around to it. Small races at
// bucket edges only blur the rates a little, which a breaker tolerates.
type rateWindow struct {
	width   int64 // bucket width, nanoseconds
	buckets []rateBucket
}

type rateBucket struct {
	epoch     atomic.Int64
	successes atomic.Int64
	failures  atomic.Int64
	slow      atomic.Int64 // slow calls among the successes and failures
}

// windowCounts are the window's totals at one moment.
type windowCounts struct{ total, failures, slow int64 }

func newRateWindow(window time.Duration, n int) *rateWindow {
	return &rateWindow{width: max(int64(window)/int64(n), 1), buckets: make([]rateBucket, n)}
}

func (w *rateWindow) add(now time.Time, failed, slow bool) {
	e := now.UnixNano() / w.width
	bk := &w.buckets[e%int64(len(w.buckets))]
	if old := bk.epoch.Load(); old != e && bk.epoch.CompareAndSwap(old, e) {
		bk.successes.Store(0)
		bk.failures.Store(0)
		bk.slow.Store(0)
	}
	if failed {
		bk.failures.Add(1)
	} else {
		bk.successes.Add(1)
	}
	if slow {
		bk.slow.Add(1)
	}
}

// counts sums the window ending now.
func (w *rateWindow) counts(now time.Time) windowCounts {
	e := now.UnixNano() / w.width
	var c windowCounts
	for i := range w.buckets {
		bk := &w.buckets[i]
		if ep := bk.epoch.Load(); ep > e-int64(len(w.buckets)) && ep <= e {
			ok, bad := bk.successes.Load(), bk.failures.Load()
			c.total += ok + bad
			c.failures += bad
			c.slow += bk.slow.Load()
		}
	}
	return c
}

// clear forgets every call (Reset).
func (w *rateWindow) clear() {
	for i := range w.buckets {
		bk := &w.buckets[i]
		bk.epoch.Store(-1) // no real epoch: the next add starts the bucket afresh
		bk.successes.Store(0)
		bk.failures.Store(0)
		bk.slow.Store(0)
	}
}

// rateTrip adds one closed-state (or DISABLED) outcome to the window and,
// when judge is set (CLOSED: DISABLED only counts), says whether a rate
// rule now opens the breaker, and why. Only an outcome that can push a
// rate up (a failure, a slow call) sums the window, so a healthy closed
// breaker pays one bucket update per call.
func (b *breaker) rateTrip(failed bool, took time.Duration, judge bool) (bool, string) {
	now := b.clock.Now()
	slow := b.isSlow(took)
	b.rate.add(now, failed, slow)
	checkFailures := failed && b.set.FailureRate > 0
	if !judge || !checkFailures && !slow {
		return false, ""
	}
	c := b.rate.counts(now)
	if c.total < int64(b.set.RateMinRequests) {
		return false, ""
	}
	if r := float64(c.failures) / float64(c.total); checkFailures && r >= b.set.FailureRate {
		return true, fmt.Sprintf("failure rate %.0f%% over %s", r*100, b.set.RateWindow)
	}
	if r := float64(c.slow) / float64(c.total); slow && r >= b.set.SlowCallRateThreshold {
		return true, fmt.Sprintf("slow calls %.0f%% ≥ %.0f%% over %s (slower than %s)",
			r*100, b.set.SlowCallRateThreshold*100, b.set.RateWindow, b.set.SlowCallDuration)
	}
	return false, ""
}

// isSlow reports whether a call that took took is a slow call.
func (b *breaker) isSlow(took time.Duration) bool {
	return b.set.SlowCallDuration > 0 && took > b.set.SlowCallDuration
}
