// Package quantile is the one place that reads a percentile off a handful
// of measured durations (PING probes in verify and chaos run).
package quantile

import (
	"math"
	"slices"
	"time"
)

// Nearest sorts ds and returns its q-quantile by the nearest-rank method:
// the smallest sample with at least q of the samples at or below it. Of
// 100 samples the p99 is the second worst, so one outlier (a GC pause, a
// scheduler hiccup) does not decide it; of fewer than 100 it is the worst.
// ds must not be empty.
func Nearest(ds []time.Duration, q float64) time.Duration {
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
