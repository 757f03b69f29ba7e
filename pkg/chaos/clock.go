package chaos

import (
	"log/slog"
	"time"
)

// Clock is the proxy's time source. Tests inject a fake one to play faults
// that act over time (restart phases, timeouts) without sleeping.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Option configures a Proxy or a Server.
type Option func(*options)

type options struct {
	seed          uint64
	clock         Clock
	log           *slog.Logger
	noLoop        bool // serve every connection on goroutines (tests of that path)
	noLoopFraming bool // frame requests for Redis-level faults on goroutines only (tests of that path)
}

func buildOptions(opts []Option) options {
	o := options{clock: realClock{}, log: slog.Default()}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithSeed sets the seed every random choice (toxicity draws, jitter,
// slicer sizes) derives from, so that a run can be replayed.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// WithClock replaces the wall clock, for tests.
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithLogger sets where the proxy logs what should never happen (a
// recovered panic); nil or unset: slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// splitmix64 turns x into a well-mixed 64-bit value.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unitDraw turns (seed, a, b) into a number in [0, 1): the per-connection
// toxicity draw is a pure function of the seed, the connection's number and
// the fault's number, whatever the scheduling.
func unitDraw(seed, a, b uint64) float64 {
	v := splitmix64(splitmix64(seed^splitmix64(a)) ^ b)
	return float64(v>>11) / (1 << 53)
}
