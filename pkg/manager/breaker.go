package manager

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// BreakerSettings configure the circuit breaker. The zero value of a field
// means its default.
type BreakerSettings struct {
	// FailureThreshold consecutive failures open the breaker (default 5). No
	// time window applies: failures spaced minutes apart still count.
	FailureThreshold int
	// FailureRate, when > 0, also opens the breaker when the share of
	// failures over RateWindow reaches it with at least RateMinRequests.
	FailureRate     float64
	RateWindow      time.Duration // default 10s
	RateMinRequests int           // default 20
	// OpenTimeout is the first open wait (default 60s). While probes keep
	// failing, the k-th consecutive open waits OpenTimeout plus a uniformly
	// random extra in [0, min(MaxOpenTimeout, OpenTimeout·2^k) − OpenTimeout]
	// (full jitter above a floor); a close resets k.
	OpenTimeout    time.Duration
	MaxOpenTimeout time.Duration // default 10m
	// HalfOpenMaxRequests application calls may pass while half-open
	// (default 3); the rest fail fast.
	HalfOpenMaxRequests int
	// SuccessThreshold successes while half-open close the breaker (default 2).
	SuccessThreshold int
}

func (s *BreakerSettings) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&s.FailureThreshold, 5)
	def(&s.RateMinRequests, 20)
	def(&s.HalfOpenMaxRequests, 3)
	def(&s.SuccessThreshold, 2)
	if s.RateWindow <= 0 {
		s.RateWindow = 10 * time.Second
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = 60 * time.Second
	}
	if s.MaxOpenTimeout < s.OpenTimeout {
		s.MaxOpenTimeout = max(10*time.Minute, s.OpenTimeout)
	}
}

// permit says how a call was admitted, so its outcome is recorded right.
type permit uint8

const (
	denied permit = iota
	admitClosed
	admitHalfOpen
	admitProbe
)

// breaker is the state machine. The closed path is lock-free (atomics only);
// transitions take mu.
type breaker struct {
	set   BreakerSettings
	clock Clock
	randN func(int64) int64

	state       atomic.Int32
	openUntil   atomic.Int64 // unix nanoseconds
	consecutive atomic.Int64
	inFlight    atomic.Int32 // half-open application calls
	rate        *rateWindow  // nil unless FailureRate > 0
	perNode     bool         // a Cluster node's breaker: cluster-wide replies are not its failures

	mu         sync.Mutex
	opens      int // consecutive opens since the last close
	successes  int // half-open successes
	since      time.Time
	lastErr    string
	trips      atomic.Uint64
	recoveries atomic.Uint64
	halfOpens  atomic.Uint64

	onTransition func(Transition) // called with mu held; must not block
}

func newBreaker(set BreakerSettings, clock Clock, randN func(int64) int64) *breaker {
	set.defaults()
	if clock == nil {
		clock = wallClock{}
	}
	if randN == nil {
		randN = rand.Int64N
	}
	b := &breaker{set: set, clock: clock, randN: randN, since: clock.Now()}
	if set.FailureRate > 0 {
		b.rate = newRateWindow(set.RateWindow, 10)
	}
	return b
}

// State returns the current state, moving OPEN to HALF_OPEN if the wait is
// over so that it never reports a stale OPEN.
func (b *breaker) State() State {
	s := State(b.state.Load())
	if s == Open && b.clock.Now().UnixNano() >= b.openUntil.Load() {
		b.toHalfOpen()
		s = State(b.state.Load())
	}
	return s
}

// rejectFast reports whether a call should fail fast: open and still
// waiting. It allocates nothing and touches no lock.
func (b *breaker) rejectFast() bool {
	return State(b.state.Load()) == Open && b.clock.Now().UnixNano() < b.openUntil.Load()
}

// allow admits a call or not. probe calls (the prober's PINGs) pass in every
// state but OPEN-and-waiting.
func (b *breaker) allow(probe bool) permit {
	switch State(b.state.Load()) {
	case Closed:
		return admitClosed
	case Open:
		if b.rejectFast() {
			return denied
		}
		b.toHalfOpen()
		return b.allow(probe)
	}
	if probe {
		return admitProbe
	}
	if b.inFlight.Add(1) > int32(b.set.HalfOpenMaxRequests) {
		b.inFlight.Add(-1)
		return denied
	}
	return admitHalfOpen
}

// release returns a half-open slot without an outcome (e.g. cancelled).
func (b *breaker) release(p permit) {
	if p == admitHalfOpen {
		b.inFlight.Add(-1)
	}
}

func (b *breaker) success(p permit) {
	if p == admitClosed {
		if b.consecutive.Load() != 0 {
			b.consecutive.Store(0)
		}
		if b.rate != nil {
			b.rate.add(b.clock.Now(), false)
		}
		return
	}
	b.release(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	if State(b.state.Load()) != HalfOpen {
		return
	}
	b.successes++
	if b.successes >= b.set.SuccessThreshold {
		b.recoveries.Add(1)
		b.opens = 0
		b.transition(Closed, fmt.Sprintf("%d successful probes", b.successes))
	}
}

func (b *breaker) failure(p permit, err error) {
	msg := errString(err)
	if p == admitClosed {
		n := b.consecutive.Add(1)
		tripped := n >= int64(b.set.FailureThreshold)
		reason := fmt.Sprintf("%d consecutive failures", n)
		if b.rate != nil {
			now := b.clock.Now()
			b.rate.add(now, true)
			if r, total := b.rate.failureRate(now); !tripped && total >= int64(b.set.RateMinRequests) && r >= b.set.FailureRate {
				tripped, reason = true, fmt.Sprintf("failure rate %.0f%% over %s", r*100, b.set.RateWindow)
			}
		}
		if tripped {
			b.mu.Lock()
			if State(b.state.Load()) == Closed {
				b.lastErr = msg
				b.trips.Add(1)
				b.transition(Open, reason)
			}
			b.mu.Unlock()
		}
		return
	}
	b.release(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastErr = msg
	if State(b.state.Load()) == HalfOpen {
		b.opens++
		b.transition(Open, "probe failed")
	}
}

func (b *breaker) toHalfOpen() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if State(b.state.Load()) == Open && b.clock.Now().UnixNano() >= b.openUntil.Load() {
		b.halfOpens.Add(1)
		b.transition(HalfOpen, "open wait elapsed")
	}
}

// endWait ends an open wait early because the reason for it is gone (a
// Sentinel promoted a new master): the breaker goes HALF_OPEN and probes.
func (b *breaker) endWait(reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if State(b.state.Load()) == Open {
		b.openUntil.Store(b.clock.Now().UnixNano())
		b.halfOpens.Add(1)
		b.transition(HalfOpen, reason)
	}
}

// openWait is the wait for the k-th consecutive open (k = 0 first).
func (b *breaker) openWait(k int) time.Duration {
	base, limit := b.set.OpenTimeout, b.set.MaxOpenTimeout
	if k <= 0 {
		return base
	}
	ceil := limit
	if k < 32 && base<<k > 0 && base<<k < limit {
		ceil = base << k
	}
	return base + time.Duration(b.randN(int64(ceil-base)+1))
}

// transition moves to state to; mu must be held.
func (b *breaker) transition(to State, reason string) {
	now := b.clock.Now()
	from := State(b.state.Load())
	t := Transition{From: from, To: to, At: now, Reason: reason, Err: b.lastErr}
	switch to {
	case Open:
		t.OpenFor = b.openWait(b.opens)
		b.openUntil.Store(now.Add(t.OpenFor).UnixNano())
	case Closed:
		b.consecutive.Store(0)
		b.lastErr = ""
	}
	b.successes = 0
	b.inFlight.Store(0)
	b.since = now
	b.state.Store(int32(to))
	if b.onTransition != nil {
		b.onTransition(t)
	}
}

// info returns state, time entered, open-until and the last failure.
func (b *breaker) info() (State, time.Time, time.Time, string) {
	s := b.State()
	b.mu.Lock()
	defer b.mu.Unlock()
	var until time.Time
	if s == Open {
		until = time.Unix(0, b.openUntil.Load())
	}
	return s, b.since, until, b.lastErr
}
