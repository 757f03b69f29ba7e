package manager

import (
	"testing"
	"time"
)

// recordTransitions collects every transition of b.
func recordTransitions(b *breaker) *[]Transition {
	var got []Transition
	b.onTransition = func(tr Transition) { got = append(got, tr) }
	return &got
}

func TestBreakerForceOpenHoldsUntilReset(t *testing.T) {
	// Given a closed breaker
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{OpenTimeout: time.Second}, clock, nil)
	got := recordTransitions(b)
	// When an operator forces it open
	if !b.control(ForcedOpen, "INC-42: shed load") {
		t.Fatal("control reported no change")
	}
	// Then application calls fail fast with ErrForcedOpen
	if err := b.rejectFast(); err != ErrForcedOpen {
		t.Fatalf("rejectFast = %v, want ErrForcedOpen", err)
	}
	if p := b.allow(false); p != denied || b.deniedErr() != ErrForcedOpen {
		t.Fatalf("allow = %v (%v), want denied with ErrForcedOpen", p, b.deniedErr())
	}
	// And the monitor's PINGs pass, but successes close nothing, however long
	for range 10 {
		clock.Advance(time.Hour)
		b.success(b.allow(true), time.Millisecond)
	}
	b.failure(b.allow(true), errDown, time.Millisecond)
	if s := b.State(); s != ForcedOpen {
		t.Fatalf("state after probes and hours = %v, want FORCED_OPEN", s)
	}
	// And forcing again changes nothing, the first reason included
	if b.control(ForcedOpen, "another reason") || b.info().reason != "INC-42: shed load" {
		t.Fatalf("a second ForceOpen changed the state or reason (%q)", b.info().reason)
	}
	// When it is reset
	b.control(Closed, "reset")
	// Then it is closed and admits calls
	if s := b.State(); s != Closed || b.allow(false) != admitClosed || b.rejectFast() != nil {
		t.Fatalf("after reset: %v", s)
	}
	want := []struct {
		from, to State
		reason   string
	}{{Closed, ForcedOpen, "INC-42: shed load"}, {ForcedOpen, Closed, "reset"}}
	if len(*got) != len(want) {
		t.Fatalf("transitions %+v, want %+v", *got, want)
	}
	for i, w := range want {
		if tr := (*got)[i]; tr.From != w.from || tr.To != w.to || tr.Reason != w.reason || tr.Err != "" {
			t.Errorf("transition %d = %v→%v %q (err %q), want %v→%v %q", i, tr.From, tr.To, tr.Reason, tr.Err, w.from, w.to, w.reason)
		}
	}
}

func TestBreakerForceOpenFromOpenIsNotEndedByTheWait(t *testing.T) {
	clock := newFakeClock()
	b := newBreaker(BreakerSettings{OpenTimeout: time.Second}, clock, nil)
	failN(b, 5)
	b.control(ForcedOpen, "hold")
	clock.Advance(time.Minute) // past the open wait
	if s := b.State(); s != ForcedOpen {
		t.Fatalf("state after the open wait = %v, want FORCED_OPEN", s)
	}
	b.endWait("sentinels promoted a new master")
	if s := b.State(); s != ForcedOpen {
		t.Fatalf("a master change ended a forced open: %v", s)
	}
	if in := b.info(); !in.until.IsZero() {
		t.Errorf("forced open reports a next probe at %v", in.until)
	}
}

func TestBreakerDisabledNeverOpens(t *testing.T) {
	// Given a disabled breaker with a failure-rate rule and slow calls
	b := newBreaker(BreakerSettings{FailureRate: 0.1, RateMinRequests: 2, SlowCallDuration: time.Millisecond},
		newFakeClock(), nil)
	got := recordTransitions(b)
	b.control(Disabled, "breaker flaps on a healthy server")
	// When every call fails, slowly
	for range 200 {
		p := b.allow(false)
		if p != admitDisabled {
			t.Fatalf("allow while disabled = %v, want admitDisabled", p)
		}
		b.failure(p, errDown, time.Second)
	}
	// Then it never opened, but still counts
	if s := b.State(); s != Disabled || len(*got) != 1 || b.trips.Load() != 0 {
		t.Fatalf("state %v after 200 failures, transitions %+v, trips %d; want DISABLED only", s, *got, b.trips.Load())
	}
	if n := b.consecutive.Load(); n != 200 {
		t.Errorf("consecutive failures while disabled = %d, want 200 (metrics go on)", n)
	}
	if b.rejectFast() != nil {
		t.Error("a disabled breaker rejected a call")
	}
	// When it is reset, the counts are gone: one more failure opens nothing
	b.control(Closed, "reset")
	if n := b.consecutive.Load(); n != 0 {
		t.Errorf("consecutive after reset = %d, want 0", n)
	}
	failN(b, 1)
	if s := b.State(); s != Closed {
		t.Fatalf("one failure after a reset opened the breaker (%v): the window was not cleared", s)
	}
}

func TestBreakerResetClearsTheWindowAndTheWaitGrowth(t *testing.T) {
	clock := newFakeClock()
	top := func(n int64) int64 { return n - 1 }
	b := newBreaker(BreakerSettings{FailureThreshold: 100, FailureRate: 0.5, RateMinRequests: 4,
		OpenTimeout: time.Second, MaxOpenTimeout: time.Hour}, clock, top)
	got := recordTransitions(b)
	// Three failures of four needed: one short of opening
	failN(b, 3)
	// A reset of a closed breaker clears them without a transition
	b.control(Closed, "reset")
	if len(*got) != 0 {
		t.Fatalf("reset of a closed breaker published %+v", *got)
	}
	failN(b, 1)
	if s := b.State(); s != Closed {
		t.Fatalf("state %v: the reset did not clear the window", s)
	}
	// Open, fail two probes (the wait grows), reset: the next wait is the base
	failN(b, 3)
	for range 2 {
		clock.Advance(time.Hour)
		b.failure(b.allow(true), errDown, 0)
	}
	b.control(Closed, "reset")
	failN(b, 4)
	last := (*got)[len(*got)-1]
	if last.To != Open || last.OpenFor != time.Second {
		t.Fatalf("first open after a reset: %v for %v, want OPEN for the base 1s", last.To, last.OpenFor)
	}
}

func TestStateNames(t *testing.T) {
	want := map[State]string{Closed: "CLOSED", Open: "OPEN", HalfOpen: "HALF_OPEN",
		ForcedOpen: "FORCED_OPEN", Disabled: "DISABLED", State(99): "UNKNOWN", State(-1): "UNKNOWN"}
	for s, w := range want {
		if s.String() != w {
			t.Errorf("State(%d) = %q, want %q", s, s.String(), w)
		}
	}
	if len(States()) != int(numStates) {
		t.Errorf("States() has %d, want %d", len(States()), numStates)
	}
	for _, s := range States() {
		if s.Forced() != (s == ForcedOpen || s == Disabled) {
			t.Errorf("%v.Forced() = %v", s, s.Forced())
		}
	}
}
