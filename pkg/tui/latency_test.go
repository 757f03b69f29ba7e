package tui

import (
	"math"
	"testing"
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

func buckets(counts ...uint64) []manager.BucketCount {
	bounds := []time.Duration{time.Millisecond, 10 * time.Millisecond, time.Second, time.Duration(math.MaxInt64)}
	out := make([]manager.BucketCount, len(counts))
	var cum uint64
	for i, c := range counts {
		cum += c
		out[i] = manager.BucketCount{UpperBound: bounds[i], Count: cum}
	}
	return out
}

func TestWindowLatencyCountsOnlyTheWindow(t *testing.T) {
	// Given 100 fast requests long ago and 10 slow ones in the window
	base := buckets(100, 0, 0, 0)
	cur := buckets(100, 0, 10, 0)
	p, n, ok := windowLatency(base, cur)
	// Then the window's percentiles are the slow ones only
	if !ok || n != 10 {
		t.Fatalf("n=%d ok=%v", n, ok)
	}
	if p[0] < 10*time.Millisecond || p[2] > time.Second {
		t.Errorf("p50 %v p99 %v, want within (10ms, 1s]", p[0], p[2])
	}
	// And a histogram that went backwards (a restart) is not compared
	if _, _, ok := windowLatency(cur, base); ok {
		t.Error("compared a histogram that went backwards")
	}
}
