package tui

import (
	"math"
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

// windowLatency is p50, p90 and p99 of the requests between two readings of
// a cumulative latency histogram; n is how many there were. ok is false
// when the histograms cannot be compared (none, or different bounds).
func windowLatency(base, cur []manager.BucketCount) (p [3]time.Duration, n uint64, ok bool) {
	if len(cur) == 0 || (len(base) != 0 && len(base) != len(cur)) {
		return p, 0, false
	}
	counts := make([]uint64, len(cur))
	var prev uint64
	for i, b := range cur {
		c := b.Count
		if len(base) != 0 {
			if base[i].UpperBound != b.UpperBound || base[i].Count > c {
				return p, 0, false
			}
			c -= base[i].Count
		}
		counts[i], prev = c-min(prev, c), c
		n = c
	}
	if n == 0 {
		return p, 0, true
	}
	for i, q := range []float64{0.50, 0.90, 0.99} {
		p[i] = quantile(cur, counts, n, q)
	}
	return p, n, true
}

// quantile interpolates linearly inside the bucket holding rank q, as the
// manager does for its lifetime percentiles.
func quantile(bounds []manager.BucketCount, counts []uint64, total uint64, q float64) time.Duration {
	rank := q * float64(total)
	var cum float64
	for i, c := range counts {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			lo := time.Duration(0)
			if i > 0 {
				lo = bounds[i-1].UpperBound
			}
			hi := bounds[i].UpperBound
			if hi == time.Duration(math.MaxInt64) {
				hi = 2 * lo
			}
			frac := (rank - cum) / float64(c)
			return lo + time.Duration(frac*float64(hi-lo))
		}
		cum += float64(c)
	}
	return 0
}
