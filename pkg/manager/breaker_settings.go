package manager

import "time"

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
	// SlowCallDuration, when > 0, makes a call that takes longer a slow
	// call (resilience4j's model; 0, the default, turns slow calls off).
	// A slow call still returns its result to the caller: it only counts
	// toward opening. While closed, the breaker opens when the share of slow
	// calls (successes and failures alike) over RateWindow reaches
	// SlowCallRateThreshold with at least RateMinRequests calls — a Redis
	// that answers everything, but in 900 ms, is down for a caller with a
	// 500 ms budget. While half-open a slow probe counts as a failed one,
	// so a slow server does not close the breaker just to open it again.
	// The time is the command's as the caller sees it: a wait for a pool
	// connection and a dial are part of it.
	SlowCallDuration time.Duration
	// SlowCallRateThreshold is the share of slow calls, in (0, 1], at or
	// above which the breaker opens (default 1: every call in the window
	// slow, resilience4j's default). Used only with SlowCallDuration.
	SlowCallRateThreshold float64
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
	if s.SlowCallDuration < 0 {
		s.SlowCallDuration = 0
	}
	if !(s.SlowCallRateThreshold > 0 && s.SlowCallRateThreshold <= 1) { // NaN too
		s.SlowCallRateThreshold = 1
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = 60 * time.Second
	}
	if s.MaxOpenTimeout < s.OpenTimeout {
		s.MaxOpenTimeout = max(10*time.Minute, s.OpenTimeout)
	}
}

// usesWindow reports whether a rule needs the rate window.
func (s *BreakerSettings) usesWindow() bool { return s.FailureRate > 0 || s.SlowCallDuration > 0 }

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
