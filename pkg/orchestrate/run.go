package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Run starts every service as soon as its dependencies are up and returns
// when start-up has settled. A non-critical failure degrades that service and
// skips its dependents; Run then still returns a nil error. A critical
// failure, or cancellation of ctx, aborts pending starts, stops the started
// services in reverse start order within Options.StopTimeout and returns all
// start and stop errors joined, each naming its service. The report is
// returned in both cases.
func (o *Orchestrator) Run(ctx context.Context) (*Report, error) {
	if err := o.begin(); err != nil {
		return nil, err
	}
	r := newRun(o, ctx)
	r.loop(ctx)
	r.cancel(context.Canceled)

	o.mu.Lock()
	total := o.since()
	o.mu.Unlock()
	var errs []error
	if r.abortCause != nil {
		errs = o.startErrors()
		if ctx.Err() != nil {
			errs = append(errs, r.abortCause)
		}
		errs = append(errs, o.stopAll(context.WithoutCancel(ctx))...)
	}

	o.mu.Lock()
	o.running = false
	o.mu.Unlock()
	return o.report(total), errors.Join(errs...)
}

func (o *Orchestrator) begin() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ran {
		return ErrAlreadyRun
	}
	o.ran, o.running = true, true
	o.began = o.clock.Now()
	return nil
}

// run is the state of one start-up. Only the goroutine in loop touches it;
// start attempts and jitter timers talk to it through msgs.
type run struct {
	o      *Orchestrator
	ctx    context.Context // parent of every start attempt
	cancel context.CancelCauseFunc
	msgs   chan message
	done   chan struct{} // closed when loop returns

	queue      []queued      // eligible services waiting for a slot
	timers     []func() bool // pending jitter timers, by service index
	active     int           // timers and attempts that will still post
	starting   int           // slots in use
	abortCause error         // set once start-up is aborted
}

type queued struct {
	n  *node
	at time.Duration
}

type message struct {
	n        *node
	finished bool  // false: jitter elapsed; true: start finished
	err      error // of a finished start
}

func newRun(o *Orchestrator, parent context.Context) *run {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	return &run{
		o: o, ctx: ctx, cancel: cancel,
		msgs: make(chan message), done: make(chan struct{}),
		timers: make([]func() bool, len(o.nodes)),
	}
}

func (r *run) loop(parent context.Context) {
	defer close(r.done)
	cancelled := parent.Done()
	if parent.Err() != nil {
		cancelled = nil
		r.abort(fmt.Errorf("%w: %w", ErrAborted, context.Cause(parent)))
	}
	for _, n := range r.o.nodes {
		if n.remaining == 0 && r.abortCause == nil {
			r.ready(n)
		}
	}
	for r.active > 0 {
		select {
		case m := <-r.msgs:
			r.handle(m)
		case <-cancelled:
			cancelled = nil
			r.abort(fmt.Errorf("%w: %w", ErrAborted, context.Cause(parent)))
		}
	}
}

func (r *run) post(m message) {
	select {
	case r.msgs <- m:
	case <-r.done:
	}
}

// ready is called when n's dependencies are all up: after its jitter it
// joins the queue for a slot.
func (r *run) ready(n *node) {
	r.o.set(n, StateWaiting, func(at time.Duration) { n.readyAt = at })
	d := time.Duration(float64(r.o.opts.Jitter) * n.rng.Float64())
	if d <= 0 {
		r.enqueue(n)
		return
	}
	r.active++
	r.timers[n.idx] = r.o.clock.AfterFunc(d, func() { r.post(message{n: n}) })
}

// enqueue adds n to the slot queue, ordered by the time it became eligible
// and then by declaration order, and starts what the limit allows.
func (r *run) enqueue(n *node) {
	at := r.o.since()
	i := len(r.queue)
	for i > 0 && r.queue[i-1].at == at && r.queue[i-1].n.idx > n.idx {
		i--
	}
	r.queue = append(r.queue, queued{})
	copy(r.queue[i+1:], r.queue[i:])
	r.queue[i] = queued{n: n, at: at}
	r.dispatch()
}

func (r *run) dispatch() {
	limit := r.o.opts.MaxConcurrent
	for r.abortCause == nil && len(r.queue) > 0 && (limit <= 0 || r.starting < limit) {
		n := r.queue[0].n
		r.queue = r.queue[1:]
		r.starting++
		r.active++
		r.o.set(n, StateStarting, func(at time.Duration) { n.beginAt, n.attempts = at, 1 })
		go func() {
			err := r.o.startWithRetries(r.ctx, n)
			r.post(message{n: n, finished: true, err: err})
		}()
	}
}

func (r *run) handle(m message) {
	r.active--
	if !m.finished {
		r.timers[m.n.idx] = nil
		if r.abortCause != nil {
			r.skip(m.n, r.abortCause)
			return
		}
		r.enqueue(m.n)
		return
	}
	r.starting--
	r.finish(m.n, m.err)
	r.dispatch()
}
