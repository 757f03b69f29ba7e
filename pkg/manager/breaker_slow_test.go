package manager

import (
	"strings"
	"testing"
	"time"
)

// succeedIn records n successes that each took took.
func succeedIn(b *breaker, n int, took time.Duration) {
	for range n {
		b.success(b.allow(false), took)
	}
}

func TestBreakerSlowCallRateOpens(t *testing.T) {
	// Given slow calls on: slower than 500ms, opening at 50% over 10s with 10 calls
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{SlowCallDuration: 500 * time.Millisecond, SlowCallRateThreshold: 0.5,
		RateWindow: 10 * time.Second, RateMinRequests: 10}, clock, nil)
	var opened Transition
	b.onTransition = func(tr Transition) { opened = tr }
	// When 5 fast calls and 4 slow ones pass (9 calls: under the minimum)
	succeedIn(b, 5, time.Millisecond)
	succeedIn(b, 4, 900*time.Millisecond)
	// Then the breaker is still closed
	if s := b.State(); s != Closed {
		t.Fatalf("state after 9 calls = %v, want CLOSED (under RateMinRequests)", s)
	}
	// When a fifth slow call makes 5 of 10
	succeedIn(b, 1, 900*time.Millisecond)
	// Then it opens, and says why
	if s := b.State(); s != Open {
		t.Fatalf("state at 5 slow of 10 = %v, want OPEN", s)
	}
	if want := "slow calls 50% ≥ 50% over 10s"; !strings.HasPrefix(opened.Reason, want) {
		t.Errorf("reason = %q, want it to start %q", opened.Reason, want)
	}
	if !strings.Contains(opened.Err, "900ms") {
		t.Errorf("transition error = %q, want the slow call's time", opened.Err)
	}
	if b.trips.Load() != 1 {
		t.Errorf("trips = %d, want 1", b.trips.Load())
	}
}

func TestBreakerSlowCallsOffNeverOpenOnSlowness(t *testing.T) {
	// Given the defaults (slow calls off) and the same traffic, all slow
	b := newBreaker(BreakerSettings{RateMinRequests: 10}, newFakeClock(), nil)
	succeedIn(b, 1000, 5*time.Second)
	if s := b.State(); s != Closed {
		t.Fatalf("state after 1000 slow successes with slow calls off = %v, want CLOSED", s)
	}
	if b.rate != nil {
		t.Error("a rate window was built though no rate rule is on")
	}
}

func TestBreakerSlowCallsOnlyCountWithinTheWindow(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{SlowCallDuration: 100 * time.Millisecond, SlowCallRateThreshold: 0.5,
		RateWindow: 10 * time.Second, RateMinRequests: 4}, clock, nil)
	succeedIn(b, 3, time.Second) // 3 slow...
	clock.Advance(11 * time.Second)
	succeedIn(b, 3, time.Millisecond) // ...left the window; 3 fast now
	succeedIn(b, 1, time.Second)      // 1 slow of 4
	if s := b.State(); s != Closed {
		t.Fatalf("state = %v, want CLOSED: old slow calls must leave the window", s)
	}
}

func TestBreakerSlowFailuresCountAsSlow(t *testing.T) {
	// A timeout is a failure and, when it took long, a slow call: with a
	// high consecutive threshold and no failure rate, slowness opens it.
	b := newBreaker(BreakerSettings{FailureThreshold: 100, SlowCallDuration: 100 * time.Millisecond,
		SlowCallRateThreshold: 0.8, RateMinRequests: 5}, newFakeClock(), nil)
	for range 5 {
		b.failure(b.allow(false), errDown, time.Second)
	}
	if s := b.State(); s != Open {
		t.Fatalf("state after 5 slow failures = %v, want OPEN", s)
	}
}

func TestBreakerSlowProbeReopens(t *testing.T) {
	// Given a breaker opened by slow calls, whose wait is over
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{SlowCallDuration: 100 * time.Millisecond, RateMinRequests: 2,
		OpenTimeout: time.Second}, clock, nil)
	succeedIn(b, 2, time.Second)
	clock.Advance(time.Second)
	if s := b.State(); s != HalfOpen {
		t.Fatalf("state after the wait = %v, want HALF_OPEN", s)
	}
	// When a probe succeeds, but slowly
	var last Transition
	b.onTransition = func(tr Transition) { last = tr }
	b.success(b.allow(true), time.Second)
	// Then it reopens instead of counting a success
	if s := b.State(); s != Open || last.Reason != "slow probe" {
		t.Fatalf("after a slow probe: state %v, reason %q; want OPEN, slow probe", s, last.Reason)
	}
	// And fast probes close it
	clock.Advance(time.Hour)
	b.success(b.allow(true), time.Millisecond)
	b.success(b.allow(true), time.Millisecond)
	if s := b.State(); s != Closed {
		t.Fatalf("after 2 fast probes: %v, want CLOSED", s)
	}
}

func TestBreakerSettingsSlowCallDefaults(t *testing.T) {
	for _, tc := range []struct {
		in, want float64
	}{{0, 1}, {-1, 1}, {1.5, 1}, {0.25, 0.25}, {1, 1}} {
		s := BreakerSettings{SlowCallDuration: time.Second, SlowCallRateThreshold: tc.in}
		s.defaults()
		if s.SlowCallRateThreshold != tc.want {
			t.Errorf("SlowCallRateThreshold %v → %v, want %v", tc.in, s.SlowCallRateThreshold, tc.want)
		}
	}
}
