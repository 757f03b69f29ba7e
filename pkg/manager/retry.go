package manager

import (
	"context"
	"sync/atomic"
	"time"
)

// RetrySettings configure the manager's own retries. go-redis's retries are
// switched off (MaxRetries -1, one dial attempt per connection) so that these
// are the only ones: nothing stacks.
type RetrySettings struct {
	// MaxAttempts per call, the first included (default 3; 1 disables retries).
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the full-jitter exponential backoff:
	// attempt n sleeps a uniform random time in [0, min(Max, Base·2^n)].
	BaseBackoff time.Duration // default 25ms
	MaxBackoff  time.Duration // default 1s
	// BudgetRatio is the share of calls that may be retried (default 0.2):
	// every call earns BudgetRatio of a token, every retry spends one.
	BudgetRatio float64
	// BudgetFloor tokens are always available at start and refilled up to
	// each second (default 10), so a quiet service can still retry.
	BudgetFloor int
}

func (s *RetrySettings) defaults() {
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 3
	}
	if s.BaseBackoff <= 0 {
		s.BaseBackoff = 25 * time.Millisecond
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = time.Second
	}
	if s.BudgetRatio <= 0 {
		s.BudgetRatio = 0.2
	}
	if s.BudgetFloor <= 0 {
		s.BudgetFloor = 10
	}
}

// retryBudget is a token bucket in thousandths of a token, lock-free.
// Hand-written: failsafe-go's budget limits the share of in-flight executions
// that are retries, which does not bound retries per request over time.
type retryBudget struct {
	milli      atomic.Int64
	perCall    int64
	floor      int64
	ceiling    int64
	lastRefill atomic.Int64 // unix second of the last floor refill
	clock      Clock
}

func newRetryBudget(s RetrySettings, clock Clock) *retryBudget {
	b := &retryBudget{
		perCall: int64(s.BudgetRatio * 1000),
		floor:   int64(s.BudgetFloor) * 1000,
		ceiling: int64(s.BudgetFloor)*1000 + 100_000,
		clock:   clock,
	}
	b.milli.Store(b.floor)
	b.lastRefill.Store(clock.Now().Unix())
	return b
}

// deposit credits one call.
func (b *retryBudget) deposit() {
	if b.milli.Add(b.perCall) > b.ceiling {
		b.milli.Store(b.ceiling)
	}
}

// withdraw takes one retry token if there is one.
func (b *retryBudget) withdraw() bool {
	if sec, last := b.clock.Now().Unix(), b.lastRefill.Load(); sec != last && b.lastRefill.CompareAndSwap(last, sec) {
		for {
			cur := b.milli.Load()
			if cur >= b.floor || b.milli.CompareAndSwap(cur, b.floor) {
				break
			}
		}
	}
	for {
		cur := b.milli.Load()
		if cur < 1000 {
			return false
		}
		if b.milli.CompareAndSwap(cur, cur-1000) {
			return true
		}
	}
}

// backoff returns the full-jitter sleep before retry number n (1-based).
func backoff(s *RetrySettings, n int, randN func(int64) int64) time.Duration {
	ceil := s.MaxBackoff
	if n < 32 && s.BaseBackoff<<n > 0 && s.BaseBackoff<<n < ceil {
		ceil = s.BaseBackoff << n
	}
	return time.Duration(randN(int64(ceil) + 1))
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
