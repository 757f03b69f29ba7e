package manager

import (
	"math"
	"sync/atomic"
	"time"
)

// latencyBounds are the histogram's upper bounds, in microseconds.
var latencyBounds = [...]int64{
	50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500,
	10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
}

// histogram is a fixed-bucket latency histogram updated with atomics only.
type histogram struct {
	counts [len(latencyBounds) + 1]atomic.Uint64
	sumUS  atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	us := d.Microseconds()
	i := 0
	for i < len(latencyBounds) && us > latencyBounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumUS.Add(uint64(max(us, 0)))
}

// LatencySummary is the histogram read at one moment.
type LatencySummary struct {
	Count uint64        `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	Mean  time.Duration `json:"mean_ns"`
	Sum   time.Duration `json:"-"`
	// Buckets are cumulative counts per upper bound, for exporters.
	Buckets []BucketCount `json:"-"`
}

// BucketCount is one cumulative histogram bucket.
type BucketCount struct {
	UpperBound time.Duration // math.MaxInt64 for +Inf
	Count      uint64
}

func (h *histogram) summary() LatencySummary {
	var raw [len(latencyBounds) + 1]uint64
	var total uint64
	for i := range h.counts {
		raw[i] = h.counts[i].Load()
		total += raw[i]
	}
	s := LatencySummary{Count: total, Buckets: make([]BucketCount, len(raw))}
	var cum uint64
	for i, c := range raw {
		cum += c
		ub := time.Duration(math.MaxInt64)
		if i < len(latencyBounds) {
			ub = time.Duration(latencyBounds[i]) * time.Microsecond
		}
		s.Buckets[i] = BucketCount{UpperBound: ub, Count: cum}
	}
	if total == 0 {
		return s
	}
	s.Sum = time.Duration(h.sumUS.Load()) * time.Microsecond
	s.Mean = s.Sum / time.Duration(total)
	s.P50, s.P90, s.P99 = quantile(raw[:], total, 0.50), quantile(raw[:], total, 0.90), quantile(raw[:], total, 0.99)
	return s
}

// quantile interpolates linearly inside the bucket that holds rank q.
func quantile(raw []uint64, total uint64, q float64) time.Duration {
	rank := q * float64(total)
	var cum float64
	for i, c := range raw {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			lo := int64(0)
			if i > 0 {
				lo = latencyBounds[i-1]
			}
			hi := lo * 2
			if i < len(latencyBounds) {
				hi = latencyBounds[i]
			}
			frac := (rank - cum) / float64(c)
			return time.Duration(float64(lo)+frac*float64(hi-lo)) * time.Microsecond
		}
		cum += float64(c)
	}
	return 0
}

// counters are the manager's running totals.
type counters struct {
	byClass       [numClasses]atomic.Uint64
	fallbacks     atomic.Uint64
	retries       atomic.Uint64
	retriesDenied atomic.Uint64
	slowCalls     atomic.Uint64 // attempts slower than SlowCallDuration
	latency       histogram
}
