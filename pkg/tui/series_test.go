package tui

import (
	"math"
	"testing"
	"time"
)

func TestRollingRateAndErrorsOverTheWindow(t *testing.T) {
	r := rolling{window: 10 * time.Second}
	// Given 10 calls/s, all fine for 20 s, then 10 calls/s all failing for 5 s
	var rate, pct float64
	var ok bool
	for s := 0; s <= 25; s++ {
		calls, errs := uint64(10*s), uint64(0)
		if s > 20 {
			errs = uint64(10 * (s - 20))
		}
		rate, pct, _, ok = r.add(reading{at: at(float64(s)), calls: calls, errs: errs})
	}
	// Then the last 10 s show 10/s and half of them failed
	if !ok || math.Abs(rate-10) > 0.01 || math.Abs(pct-50) > 0.01 {
		t.Errorf("rate %.2f errors %.2f%% ok %v, want 10/s 50%%", rate, pct, ok)
	}
	// When the counters restart (the service restarted), the window starts over
	if _, _, _, ok := r.add(reading{at: at(26), calls: 3}); ok {
		t.Error("a restarted counter was compared with the old one")
	}
	// And a second reading of the same moment replaces the first
	r.add(reading{at: at(27), calls: 13})
	rate, _, _, ok = r.add(reading{at: at(27), calls: 23})
	if !ok || math.Abs(rate-20) > 0.01 {
		t.Errorf("rate after a repeated reading %.2f ok %v, want 20", rate, ok)
	}
}

func TestSparkBucketsGapsAndScale(t *testing.T) {
	s := series{bucket: 5 * time.Second, keep: 4, peak: true}
	s.add(at(0), 0)
	s.add(at(1), 100) // same bucket: the peak shows
	s.add(at(15), 50) // two empty buckets between
	if got := s.spark(10, 100); got != "█  ▅" {
		t.Errorf("spark %q, want %q", got, "█  ▅")
	}
	// Older cells than keep are dropped; the width shows the newest
	s.add(at(20), 0)
	if got := s.spark(2, 100); got != "▅▁" {
		t.Errorf("spark %q, want %q", got, "▅▁")
	}
}
