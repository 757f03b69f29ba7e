package orchestrate

import (
	"context"
	"fmt"
	"time"
)

// startWithRetries runs n's attempts, backing off with full jitter between
// them, until one succeeds, the retries are spent or ctx is cancelled.
func (o *Orchestrator) startWithRetries(ctx context.Context, n *node) error {
	total := max(n.svc.Retries, 0) + 1
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			o.set(n, StateStarting, func(time.Duration) { n.attempts = attempt })
		}
		err := o.attempt(ctx, n)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		err = fmt.Errorf("attempt %d of %d: %w", attempt, total, err)
		if attempt == total {
			return err
		}
		o.set(n, StateRetrying, func(time.Duration) { n.err = err })
		if cause := Sleep(ctx, o.clock, o.backoff(n, attempt)); cause != nil {
			return cause
		}
	}
}

// attempt runs Start and then Health under the service's StartTimeout. When
// the run itself is cancelled it returns the run's cause instead of the
// service's error, so the caller can tell an abort from a failure.
func (o *Orchestrator) attempt(ctx context.Context, n *node) error {
	actx, cancel := withTimeout(ctx, o.clock, n.svc.StartTimeout, ErrStartTimeout)
	defer cancel()
	err := n.svc.Start(actx)
	if err == nil && n.svc.Health != nil {
		if err = n.svc.Health(actx); err != nil {
			err = fmt.Errorf("check health: %w", err)
		}
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case context.Cause(actx) == ErrStartTimeout:
		return fmt.Errorf("%w after %v", ErrStartTimeout, n.svc.StartTimeout)
	}
	return err
}

// backoff draws the delay before retry number retry (1-based).
func (o *Orchestrator) backoff(n *node, retry int) time.Duration {
	return time.Duration(float64(n.svc.Backoff.ceiling(retry)) * n.rng.Float64())
}
