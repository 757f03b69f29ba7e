package orchestrate

import (
	"errors"
	"fmt"
	"time"
)

// finish records the outcome of n's start and decides what follows from it.
func (r *run) finish(n *node, err error) {
	end := func(at time.Duration) { n.endAt, n.err = at, err }
	if err != nil {
		blast := r.o.g.downstream(n.idx)
		end = func(at time.Duration) { n.endAt, n.err, n.blast = at, err, blast }
	}
	switch {
	case err == nil:
		r.up(n)
	case r.abortCause != nil && errors.Is(err, ErrAborted):
		r.o.set(n, StateSkipped, end)
	case n.svc.Critical:
		r.o.set(n, StateFailed, end)
		r.abort(fmt.Errorf("%w: critical service %s failed", ErrAborted, n.svc.Name))
	default:
		r.o.set(n, StateDegraded, end)
		r.skipDownstream(n)
	}
}

// up marks n started and readies the dependents it was the last wait of.
func (r *run) up(n *node) {
	r.o.set(n, StateStarted, func(at time.Duration) {
		n.endAt, n.err = at, nil
		r.o.order = append(r.o.order, n)
	})
	if r.abortCause != nil {
		return
	}
	for _, d := range r.o.g.dependents[n.idx] {
		dep := r.o.nodes[d]
		dep.remaining--
		if dep.remaining == 0 && r.o.stateOf(dep) == StatePending {
			r.ready(dep)
		}
	}
}

// skipDownstream skips every service that depends on n, transitively.
func (r *run) skipDownstream(n *node) {
	cause := fmt.Errorf("%w: %s %s", ErrDependencyFailed, n.svc.Name, r.o.stateOf(n))
	for _, name := range n.blast {
		if d := r.o.nodes[r.o.g.index[name]]; r.o.stateOf(d) == StatePending {
			r.skip(d, cause)
		}
	}
}

func (r *run) skip(n *node, cause error) {
	r.o.set(n, StateSkipped, func(time.Duration) { n.err = cause })
}

// abort cancels running attempts and skips everything not yet started.
func (r *run) abort(cause error) {
	if r.abortCause != nil {
		return
	}
	r.abortCause = cause
	r.cancel(cause)
	for _, q := range r.queue {
		r.skip(q.n, cause)
	}
	r.queue = nil
	for _, n := range r.o.nodes {
		stop := r.timers[n.idx]
		switch {
		case stop != nil && stop():
			r.timers[n.idx] = nil
			r.active--
			r.skip(n, cause)
		case stop == nil && r.o.stateOf(n) == StatePending:
			r.skip(n, cause)
		}
	}
}

// startErrors returns the start error of every failed or degraded service,
// wrapped with its name, in the order they ended.
func (o *Orchestrator) startErrors() []error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var failed []*node
	for _, n := range o.nodes {
		if n.state == StateFailed || n.state == StateDegraded {
			failed = append(failed, n)
		}
	}
	sortByEnd(failed)
	errs := make([]error, len(failed))
	for i, n := range failed {
		errs[i] = &ServiceError{Service: n.svc.Name, Op: "start", Err: n.err}
	}
	return errs
}

func (o *Orchestrator) stateOf(n *node) State {
	o.mu.Lock()
	defer o.mu.Unlock()
	return n.state
}
