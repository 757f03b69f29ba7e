package manager

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var errDown = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")

func failN(b *breaker, n int) {
	for range n {
		b.failure(b.allow(false), errDown, 0)
	}
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	// Given a breaker with the seed's defaults
	b := newBreaker(BreakerSettings{}, newFakeClock(), nil)
	// When 4 failures are followed by a success, then 4 more failures
	failN(b, 4)
	b.success(b.allow(false), 0)
	failN(b, 4)
	// Then it is still closed: the success reset the run
	if s := b.State(); s != Closed {
		t.Fatalf("state after 4+success+4 failures = %v, want CLOSED", s)
	}
	// When one more failure makes 5 in a row
	failN(b, 1)
	// Then it is open and fails fast
	if s := b.State(); s != Open {
		t.Fatalf("state after 5 consecutive failures = %v, want OPEN", s)
	}
	if p := b.allow(false); p != denied {
		t.Fatalf("allow while open = %v, want denied", p)
	}
	if b.trips.Load() != 1 {
		t.Fatalf("trips = %d, want 1", b.trips.Load())
	}
}

// Regression for gobreaker's interval bug: counts cleared by a time window
// let failures spaced wider than the window never open the breaker.
func TestBreakerSparseFailuresStillOpen(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{FailureRate: 0.5, RateWindow: 10 * time.Second}, clock, nil)
	for range 5 {
		clock.Advance(5 * time.Minute) // far wider than any window
		failN(b, 1)
	}
	if s := b.State(); s != Open {
		t.Fatalf("state after 5 failures 5 minutes apart = %v, want OPEN", s)
	}
}

func TestBreakerFailureRateRule(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{FailureThreshold: 100, FailureRate: 0.5, RateMinRequests: 20}, clock, nil)
	// alternate success and failure: never 100 in a row, but 50% failures
	for i := range 19 {
		if i%2 == 0 {
			failN(b, 1)
		} else {
			b.success(b.allow(false), 0)
		}
	}
	if b.State() != Closed {
		t.Fatal("opened before RateMinRequests calls")
	}
	failN(b, 1)
	if s := b.State(); s != Open {
		t.Fatalf("state at 10/20 failures = %v, want OPEN", s)
	}
}

func TestBreakerOpenWaitGrowsAndResets(t *testing.T) {
	clock := newFakeClock()
	// rand always picks the top of the range, so each wait is its ceiling
	top := func(n int64) int64 { return n - 1 }
	b := newBreaker(BreakerSettings{OpenTimeout: time.Minute, MaxOpenTimeout: 10 * time.Minute}, clock, top)
	var waits []time.Duration
	b.onTransition = func(t Transition) {
		if t.To == Open {
			waits = append(waits, t.OpenFor)
		}
	}
	failN(b, 5)
	for range 5 { // each wait ends, the probe fails again
		clock.Advance(b.openWait(10)) // past any wait
		if s := b.State(); s != HalfOpen {
			t.Fatalf("state after the wait = %v, want HALF_OPEN", s)
		}
		b.failure(b.allow(true), errDown, 0)
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	if len(waits) != len(want) {
		t.Fatalf("waits = %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("wait %d = %v, want %v (all: %v)", i, waits[i], want[i], waits)
		}
	}
	// When probes succeed the breaker closes, and the next open waits the base again
	clock.Advance(11 * time.Minute)
	b.success(b.allow(true), 0)
	b.success(b.allow(true), 0)
	if s := b.State(); s != Closed {
		t.Fatalf("state after 2 probe successes = %v, want CLOSED", s)
	}
	failN(b, 5)
	if got := waits[len(waits)-1]; got != time.Minute {
		t.Fatalf("first wait after a close = %v, want the base 1m (reset)", got)
	}
}

func TestBreakerOpenWaitJitterStaysInRange(t *testing.T) {
	b := newBreaker(BreakerSettings{OpenTimeout: time.Second, MaxOpenTimeout: 30 * time.Second}, newFakeClock(), nil)
	for k := range 8 {
		ceil := min(30*time.Second, time.Second<<k)
		for range 200 {
			if w := b.openWait(k); w < time.Second || w > ceil {
				t.Fatalf("openWait(%d) = %v, want within [1s, %v]", k, w, ceil)
			}
		}
	}
}

func TestBreakerHalfOpenAdmitsAFewAndReopensOnFailure(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{OpenTimeout: time.Second, HalfOpenMaxRequests: 2}, clock, nil)
	failN(b, 5)
	clock.Advance(time.Second)
	p1, p2, p3 := b.allow(false), b.allow(false), b.allow(false)
	if p1 != admitHalfOpen || p2 != admitHalfOpen || p3 != denied {
		t.Fatalf("half-open permits = %v %v %v, want 2 admitted then denied", p1, p2, p3)
	}
	if b.allow(true) != admitProbe {
		t.Fatal("the prober was refused while half-open")
	}
	b.failure(p1, errDown, 0)
	if s := b.State(); s != Open {
		t.Fatalf("state after a half-open failure = %v, want OPEN", s)
	}
	b.success(p2, 0) // a late success from before the reopen changes nothing
	if s := b.State(); s != Open {
		t.Fatalf("a late success moved an open breaker to %v", s)
	}
}

// Only an opening carries the failure that caused it: the recovery's
// transitions carry none (serve's log once printed the outage's error on
// the HALF_OPEN → CLOSED line).
func TestTransitionErrorOnlyOnOpening(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{OpenTimeout: time.Second}, clock, nil)
	var got []Transition
	b.onTransition = func(tr Transition) { got = append(got, tr) }
	failN(b, 5)
	clock.Advance(time.Second)
	b.allow(true) // the probe due moves it to half-open
	for range 2 {
		b.success(b.allow(true), 0)
	}
	if len(got) != 3 || got[2].To != Closed {
		t.Fatalf("transitions %+v, want CLOSED → OPEN → HALF_OPEN → CLOSED", got)
	}
	if got[0].To != Open || got[0].Err == "" {
		t.Errorf("opening %+v carries no error", got[0])
	}
	for _, tr := range got[1:] {
		if tr.Err != "" {
			t.Errorf("%v → %v carries the outage's error %q", tr.From, tr.To, tr.Err)
		}
	}
}
