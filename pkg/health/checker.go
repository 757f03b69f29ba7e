package health

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// ErrNoSource is returned by New when there is nothing to check: neither a
// Manager nor an Orchestrator.
var ErrNoSource = errors.New("no manager and no orchestrator to check")

// ErrStopped is returned by Start when Stop ended polling before the first
// poll completed.
var ErrStopped = errors.New("health checker stopped before its first check")

// Options configure a Checker. The zero value of a field means its default.
type Options struct {
	// Version and ServiceID are copied into every document.
	Version   string
	ServiceID string
	// Manager and Orchestrator are what is checked; at least one is needed.
	Manager      *manager.Manager
	Orchestrator *orchestrate.Orchestrator
	// AdminToken guards the admin endpoints; empty disables them (404).
	AdminToken string
	// Interval between background polls (default 5s); Timeout bounds one
	// poll's INFO and each service health check (default 2s).
	Interval time.Duration
	Timeout  time.Duration
	// RedisCritical makes a Redis failure fail the overall status; by
	// default it is warn at most, since the service degrades.
	RedisCritical bool
	Thresholds    Thresholds
	// History is how many transitions the detailed view keeps (default 32).
	History int
	Now     func() time.Time
	// Logger receives a line on each change of the overall status.
	Logger *slog.Logger
}

// Checker caches what a background poller learns and judges it on demand
// without any network round trip. It is safe for concurrent use.
type Checker struct {
	opts Options
	hist *history

	polled atomic.Bool

	judging sync.Mutex // one judgement at a time (see judge)
	last    Status     // overall status last judged, "" before the first; under judging

	mu        sync.Mutex
	facts     ServerFacts
	results   map[string]orchestrate.HealthResult
	resultsAt time.Time

	startOnce sync.Once
	firstDone chan struct{}
	stopped   chan struct{} // closed when the poll loop returns
	cancel    context.CancelFunc
	wake      chan struct{}
	wg        sync.WaitGroup
}

// New returns a Checker; nothing runs until Start.
func New(opts Options) (*Checker, error) {
	if opts.Manager == nil && opts.Orchestrator == nil {
		return nil, ErrNoSource
	}
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.History <= 0 {
		opts.History = 32
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Thresholds.defaults()
	return &Checker{opts: opts, hist: newHistory(opts.History),
		firstDone: make(chan struct{}), stopped: make(chan struct{}), wake: make(chan struct{}, 1)}, nil
}

// Start begins polling in the background and waits until the first poll has
// completed or ctx is done. Calling it again only waits.
func (c *Checker) Start(ctx context.Context) error {
	c.startOnce.Do(func() {
		pctx, cancel := context.WithCancel(context.Background())
		c.cancel = cancel
		if m := c.opts.Manager; m != nil {
			sub := m.Subscribe(16)
			c.wg.Go(func() { c.follow(pctx, sub) })
		}
		c.wg.Go(func() { c.loop(pctx) })
	})
	select {
	case <-c.firstDone:
		return nil
	case <-c.stopped:
		select {
		case <-c.firstDone:
			return nil
		default:
			return ErrStopped
		}
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Stop ends polling and waits for the poller to return. The handlers keep
// answering from the last state.
func (c *Checker) Stop(context.Context) error {
	c.startOnce.Do(func() { close(c.stopped) }) // a Stop before Start: Start starts nothing
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	return nil
}

func (c *Checker) loop(ctx context.Context) {
	defer close(c.stopped)
	t := time.NewTimer(0)
	defer t.Stop()
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.wake:
		}
		if ctx.Err() != nil {
			return
		}
		c.poll(ctx)
		if first {
			first = false
			close(c.firstDone)
		}
		t.Reset(c.opts.Interval)
	}
}

// follow records breaker transitions and polls at once on each.
func (c *Checker) follow(ctx context.Context, sub *manager.Subscription) {
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case t, ok := <-sub.C:
			if !ok {
				return
			}
			c.hist.add(breakerRecord(t))
			select {
			case c.wake <- struct{}{}:
			default:
			}
		}
	}
}

// poll gathers the slow facts: INFO through the manager and every
// service's health check.
func (c *Checker) poll(ctx context.Context) {
	if m := c.opts.Manager; m != nil {
		c.mu.Lock()
		prev := c.facts
		c.mu.Unlock()
		ictx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
		f := readFacts(ictx, m.Client(), prev, c.opts.Now)
		cancel()
		c.mu.Lock()
		c.facts = f
		c.mu.Unlock()
	}
	if o := c.opts.Orchestrator; o != nil {
		res := o.CheckHealth(ctx, c.opts.Timeout)
		byName := make(map[string]orchestrate.HealthResult, len(res))
		for _, r := range res {
			byName[r.Service] = r
		}
		c.mu.Lock()
		c.results, c.resultsAt = byName, c.opts.Now()
		c.mu.Unlock()
	}
	if ctx.Err() == nil {
		c.polled.Store(true)
	}
	c.Detailed() // judge now, so that the history sees the change
}

// Polled reports whether the first poll has completed.
func (c *Checker) Polled() bool { return c.polled.Load() }
