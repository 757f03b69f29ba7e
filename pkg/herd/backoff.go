package herd

import (
	"math/rand/v2"
	"time"
)

// Backoff policies from "Exponential Backoff And Jitter" (AWS Architecture
// Blog): the sleep before retry n (1-based) with base b and cap c.
var backoffs = map[string]func(r *rand.Rand, n int, prev, base, limit time.Duration) time.Duration{
	// none: exponential, no jitter — every client retries in lockstep.
	"none": func(_ *rand.Rand, n int, _, base, limit time.Duration) time.Duration {
		return expo(n, base, limit)
	},
	// full: uniform in [0, expo].
	"full": func(r *rand.Rand, n int, _, base, limit time.Duration) time.Duration {
		return time.Duration(r.Int64N(int64(expo(n, base, limit)) + 1))
	},
	// equal: half of expo plus uniform in [0, expo/2].
	"equal": func(r *rand.Rand, n int, _, base, limit time.Duration) time.Duration {
		half := expo(n, base, limit) / 2
		return half + time.Duration(r.Int64N(int64(half)+1))
	},
	// decorrelated: min(cap, uniform in [base, prev*3]).
	"decorrelated": func(r *rand.Rand, _ int, prev, base, limit time.Duration) time.Duration {
		hi := max(prev*3, base+1)
		return min(limit, base+time.Duration(r.Int64N(int64(hi-base))))
	},
}

// BackoffNames lists the backoff policies.
func BackoffNames() []string { return []string{"none", "full", "equal", "decorrelated"} }

// Sleep returns the backoff before retry n under the named policy.
func Sleep(policy string, r *rand.Rand, n int, prev, base, limit time.Duration) time.Duration {
	return backoffs[policy](r, n, prev, base, limit)
}

func expo(n int, base, limit time.Duration) time.Duration {
	if n > 30 {
		return limit
	}
	return min(limit, base<<n)
}
