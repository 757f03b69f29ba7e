package chaos

import (
	"math"
	"sync/atomic"
	"time"
)

// How late a latency fault passes held bytes on, past the time it drew for
// them: what the fault adds beyond what was asked, on this machine. Both
// paths count (the event loop once per held chunk, goroutines once per
// latency fault's wait); a hold cut short because the fault went is not
// counted. A client measures more than the hold (its own wake-up after a
// wait, which scripts/bench-proxy.sh's control row shows); this is the
// proxy's part alone, so an operator can tell the two apart.

// lateBounds are the histogram's upper bounds, finest where a timer's
// wake-up falls (tens of microseconds).
var lateBounds = [...]time.Duration{
	10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 5 * time.Millisecond, 25 * time.Millisecond, 100 * time.Millisecond,
}

// lateness is a histogram of lateBounds plus an overflow bucket: atomics,
// cheap enough for every held chunk.
type lateness struct {
	buckets [len(lateBounds) + 1]atomic.Int64
	sumNs   atomic.Int64
}

// observe counts one hold that ended late by d (early, within the wake-up
// slop, counts as on time).
func (h *lateness) observe(d time.Duration) {
	d = max(d, 0)
	i := 0
	for i < len(lateBounds) && d > lateBounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sumNs.Add(int64(d))
}

// Lateness is a snapshot of how late held bytes were passed on.
type Lateness struct {
	// Held counts the holds that ran to their time.
	Held int64 `json:"held"`
	// P50Micros and P99Micros bound the median and the 99th percentile
	// from above: the histogram bucket each falls in (-1: past 100 ms).
	P50Micros int64 `json:"p50_us"`
	P99Micros int64 `json:"p99_us"`
	// MeanMicros is the mean lateness.
	MeanMicros float64 `json:"mean_us"`
	counts     [len(lateBounds) + 1]int64
	sum        time.Duration
}

func (h *lateness) snapshot() Lateness {
	var s Lateness
	for i := range h.buckets {
		s.counts[i] = h.buckets[i].Load()
		s.Held += s.counts[i]
	}
	if s.Held == 0 {
		return s
	}
	s.sum = time.Duration(h.sumNs.Load())
	s.MeanMicros = float64(s.sum) / 1e3 / float64(s.Held)
	s.P50Micros, s.P99Micros = s.bound(0.50), s.bound(0.99)
	return s
}

// bound is the upper bound of the bucket that holds quantile q, in
// microseconds, or -1 for the overflow bucket.
func (s Lateness) bound(q float64) int64 {
	rank := max(1, int64(math.Ceil(q*float64(s.Held)))) // nearest rank, 1-based
	var seen int64
	for i, n := range s.counts {
		if seen += n; seen >= rank {
			if i == len(lateBounds) {
				return -1
			}
			return lateBounds[i].Microseconds()
		}
	}
	return -1
}

// cumulative is the snapshot as Prometheus wants it: cumulative counts by
// upper bound in seconds.
func (s Lateness) cumulative() map[float64]uint64 {
	out := make(map[float64]uint64, len(lateBounds))
	var sum int64
	for i, b := range lateBounds {
		sum += s.counts[i]
		out[b.Seconds()] = uint64(sum)
	}
	return out
}
