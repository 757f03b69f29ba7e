package manager

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// permit says how a call was admitted, so its outcome is recorded right.
type permit uint8

const (
	denied permit = iota
	admitClosed
	admitHalfOpen
	admitProbe
	admitDisabled // DISABLED: counted, never trips
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
	rate        *rateWindow  // nil unless a rate rule (failure rate, slow calls) is on
	perNode     bool         // a Cluster node's breaker: cluster-wide replies are not its failures

	mu         sync.Mutex
	opens      int // consecutive opens since the last close
	successes  int // half-open successes
	since      time.Time
	reason     string // why the breaker entered its state
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
	if set.usesWindow() {
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

// rejectFast returns the error a call fails fast with — ErrCircuitOpen while
// open and waiting, ErrForcedOpen while forced open — or nil when it may
// go. It allocates nothing and touches no lock; the closed case inlines.
func (b *breaker) rejectFast() error {
	if State(b.state.Load()) == Closed {
		return nil
	}
	return b.rejection()
}

func (b *breaker) rejection() error {
	switch State(b.state.Load()) {
	case Open:
		if b.clock.Now().UnixNano() < b.openUntil.Load() {
			return ErrCircuitOpen
		}
	case ForcedOpen:
		return ErrForcedOpen
	}
	return nil
}

// deniedErr is the error of a call allow denied.
func (b *breaker) deniedErr() error {
	if State(b.state.Load()) == ForcedOpen {
		return ErrForcedOpen
	}
	return ErrCircuitOpen
}

// allow admits a call or not. probe calls (the monitor's PINGs) pass in
// every state but OPEN-and-waiting; while forced open they pass too, and
// their outcome moves nothing.
func (b *breaker) allow(probe bool) permit {
	switch State(b.state.Load()) {
	case Closed:
		return admitClosed
	case Disabled:
		return admitDisabled
	case ForcedOpen:
		if probe {
			return admitProbe
		}
		return denied
	case Open:
		if b.rejectFast() != nil {
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

// success records a call that Redis answered in took.
func (b *breaker) success(p permit, took time.Duration) {
	if p == admitClosed || p == admitDisabled {
		if b.consecutive.Load() != 0 {
			b.consecutive.Store(0)
		}
		if b.rate != nil {
			if tripped, reason := b.rateTrip(false, took, p == admitClosed); tripped {
				b.trip(reason, fmt.Sprintf("slow call took %v (slow above %v)", took.Round(time.Millisecond), b.set.SlowCallDuration))
			}
		}
		return
	}
	b.release(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	if State(b.state.Load()) != HalfOpen {
		return
	}
	if b.isSlow(took) { // a slow answer does not show recovery
		b.lastErr = fmt.Sprintf("slow call took %v (slow above %v)", took.Round(time.Millisecond), b.set.SlowCallDuration)
		b.opens++
		b.transition(Open, "slow probe")
		return
	}
	b.successes++
	if b.successes >= b.set.SuccessThreshold {
		b.recoveries.Add(1)
		b.opens = 0
		b.transition(Closed, fmt.Sprintf("%d successful probes", b.successes))
	}
}

// failure records a call that failed with err after took.
func (b *breaker) failure(p permit, err error, took time.Duration) {
	if p == admitClosed || p == admitDisabled {
		// Nothing is formatted unless the breaker trips: a failure that
		// does not, and every failure while DISABLED, costs no allocation.
		n := b.consecutive.Add(1)
		closed := p == admitClosed
		tripped := closed && n >= int64(b.set.FailureThreshold)
		var reason string
		if b.rate != nil {
			if rt, why := b.rateTrip(true, took, closed); rt && !tripped {
				tripped, reason = true, why
			}
		}
		if tripped {
			if reason == "" {
				reason = fmt.Sprintf("%d consecutive failures", n)
			}
			b.trip(reason, errString(err))
		}
		return
	}
	b.release(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastErr = errString(err)
	if State(b.state.Load()) == HalfOpen {
		b.opens++
		b.transition(Open, "probe failed")
	}
}

// trip opens a closed breaker; msg is the failure that tipped it.
func (b *breaker) trip(reason, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if State(b.state.Load()) == Closed {
		b.lastErr = msg
		b.trips.Add(1)
		b.transition(Open, reason)
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

// transition moves to state to; mu must be held.
func (b *breaker) transition(to State, reason string) {
	now := b.clock.Now()
	from := State(b.state.Load())
	// Only an opening is caused by an error: a probe due, a recovery or an
	// operator's choice carries none (serve's log once showed the error of
	// the outage on the HALF_OPEN → CLOSED line).
	t := Transition{From: from, To: to, At: now, Reason: reason}
	switch to {
	case Open:
		t.Err = b.lastErr
		t.OpenFor = b.openWait(b.opens)
		b.openUntil.Store(now.Add(t.OpenFor).UnixNano())
	case Closed:
		b.consecutive.Store(0)
		b.lastErr = ""
	}
	b.successes = 0
	b.inFlight.Store(0)
	b.since, b.reason = now, reason
	b.state.Store(int32(to))
	if b.onTransition != nil {
		b.onTransition(t)
	}
}
