package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrHealthTimeout is the error of a health check that ran past its timeout.
var ErrHealthTimeout = errors.New("health check timed out")

// ErrNotStarted is the health error of a service that is not up.
var ErrNotStarted = errors.New("service not started")

// HealthResult is one service's answer to CheckHealth.
type HealthResult struct {
	Service  string
	State    State
	Critical bool
	Err      error         // nil when healthy
	Took     time.Duration // zero for services without a Health func
}

// CheckHealth asks every service how it is, concurrently, each check bounded
// by timeout on the orchestrator's clock (zero: no bound). A started service
// without a Health func is healthy; a service that is not up reports
// ErrNotStarted without being called. Results are in declaration order.
// Health endpoints call this on a schedule and serve the cached answer.
func (o *Orchestrator) CheckHealth(ctx context.Context, timeout time.Duration) []HealthResult {
	results := make([]HealthResult, len(o.nodes))
	var wg sync.WaitGroup
	for i, n := range o.nodes {
		state := o.stateOf(n)
		results[i] = HealthResult{Service: n.svc.Name, State: state, Critical: n.svc.Critical}
		switch {
		case state != StateStarted:
			results[i].Err = fmt.Errorf("%w: %s", ErrNotStarted, state)
		case n.svc.Health != nil:
			wg.Go(func() { results[i].Took, results[i].Err = o.checkOne(ctx, n, timeout) })
		}
	}
	wg.Wait()
	return results
}

func (o *Orchestrator) checkOne(ctx context.Context, n *node, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := withTimeout(ctx, o.clock, timeout, ErrHealthTimeout)
	defer cancel()
	begin := o.clock.Now()
	err := n.svc.Health(ctx)
	took := o.clock.Now().Sub(begin)
	if err != nil && context.Cause(ctx) == ErrHealthTimeout {
		err = fmt.Errorf("%w after %v", ErrHealthTimeout, timeout)
	}
	return took, err
}
