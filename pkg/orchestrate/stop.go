package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Stop stops every started service in reverse start order, one at a time,
// within Options.StopTimeout. Once the deadline has passed the remaining
// services are still stopped, with a cancelled context, so they can close
// hard. It returns every stop error joined, each naming its service.
// Stopping an already stopped orchestrator does nothing.
func (o *Orchestrator) Stop(ctx context.Context) error {
	o.mu.Lock()
	running := o.running
	o.mu.Unlock()
	if running {
		return ErrRunning
	}
	return errors.Join(o.stopAll(ctx)...)
}

func (o *Orchestrator) stopAll(ctx context.Context) []error {
	ctx, cancel := withTimeout(ctx, o.clock, o.opts.StopTimeout, ErrStopTimeout)
	defer cancel()
	var errs []error
	for _, n := range o.startedReversed() {
		if err := o.stopOne(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (o *Orchestrator) startedReversed() []*node {
	o.mu.Lock()
	defer o.mu.Unlock()
	nodes := slices.Clone(o.order)
	slices.Reverse(nodes)
	return nodes
}

// stopOne stops n unless another Stop got to it first.
func (o *Orchestrator) stopOne(ctx context.Context, n *node) error {
	o.mu.Lock()
	if n.state != StateStarted {
		o.mu.Unlock()
		return nil
	}
	n.state = StateStopping
	ev := Event{Service: n.svc.Name, State: StateStopping, At: o.since()}
	o.mu.Unlock()
	o.emit(ev)
	var err error
	if n.svc.Stop != nil {
		err = n.svc.Stop(ctx)
	}
	if err != nil && context.Cause(ctx) == ErrStopTimeout && isContextError(err) {
		err = fmt.Errorf("%w after %v", ErrStopTimeout, o.opts.StopTimeout)
	}
	o.set(n, StateStopped, func(time.Duration) { n.stopErr = err })
	if err != nil {
		return &ServiceError{Service: n.svc.Name, Op: "stop", Err: err}
	}
	return nil
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrStopTimeout)
}
