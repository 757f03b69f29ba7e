package orchestrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var errBoom = errors.New("boom")

// behaviour scripts a fake service's attempts.
type behaviour struct {
	took     time.Duration // each attempt, on the fake clock
	failFrom int           // attempts numbered >= failFrom fail (0: none)
	failTo   int           // ... up to failTo (0: all from failFrom on)
	hangTo   int           // attempts 1..hangTo block until cancelled
	stopTook time.Duration
	stopErr  error
	stopHang bool // Stop blocks until its context is cancelled
}

// world is a set of fake services on one fake clock. It logs what they do
// with fake timestamps and tracks how many are starting at once.
type world struct {
	clock *fakeClock

	mu          sync.Mutex
	log         []string
	attempts    map[string]int
	inflight    int
	maxInflight int
}

func newWorld() *world {
	return &world{clock: newFakeClock(), attempts: map[string]int{}}
}

func (w *world) record(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.log = append(w.log, fmt.Sprintf("%v ", w.clock.elapsed())+fmt.Sprintf(format, args...))
}

func (w *world) logged() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.log...)
}

// starts returns the start lines, sorted: services that start at the same
// instant start concurrently, in no particular order.
func (w *world) starts() []string {
	lines := slices.DeleteFunc(w.logged(), func(l string) bool { return !strings.Contains(l, " start ") })
	slices.SortStableFunc(lines, func(a, b string) int {
		ta, _ := time.ParseDuration(strings.Fields(a)[0])
		tb, _ := time.ParseDuration(strings.Fields(b)[0])
		return cmp.Or(cmp.Compare(ta, tb), strings.Compare(a, b))
	})
	return lines
}

// stops returns the stop lines in the order they happened.
func (w *world) stops() []string {
	return slices.DeleteFunc(w.logged(), func(l string) bool { return !strings.Contains(l, " stop ") })
}

func (w *world) service(name string, b behaviour, deps ...string) Service {
	return Service{
		Name: name, DependsOn: deps,
		Start: func(ctx context.Context) error { return w.start(ctx, name, b) },
		Stop:  func(ctx context.Context) error { return w.stop(ctx, name, b) },
	}
}

func (w *world) start(ctx context.Context, name string, b behaviour) error {
	w.mu.Lock()
	w.attempts[name]++
	attempt := w.attempts[name]
	w.inflight++
	w.maxInflight = max(w.maxInflight, w.inflight)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inflight--
		w.mu.Unlock()
	}()
	w.record("start %s #%d", name, attempt)
	if attempt <= b.hangTo {
		<-ctx.Done()
		return ctx.Err()
	}
	if err := Sleep(ctx, w.clock, b.took); err != nil {
		return err
	}
	if b.failFrom > 0 && attempt >= b.failFrom && (b.failTo == 0 || attempt <= b.failTo) {
		return fmt.Errorf("connect %s: %w", name, errBoom)
	}
	return nil
}

func (w *world) stop(ctx context.Context, name string, b behaviour) error {
	w.record("stop %s", name)
	if b.stopHang {
		<-ctx.Done()
		return ctx.Err()
	}
	if err := Sleep(ctx, w.clock, b.stopTook); err != nil {
		return err
	}
	return b.stopErr
}

// options returns Options on the world's clock.
func (w *world) options() Options { return Options{Clock: w.clock} }

type outcome struct {
	rep *Report
	err error
}

// run runs o in the background and drives the fake clock until it returns.
// Call it inside synctest.Test.
func (w *world) run(t *testing.T, o *Orchestrator) (*Report, error) {
	t.Helper()
	done := make(chan struct{})
	var out outcome
	go func() {
		defer close(done)
		out.rep, out.err = o.Run(context.Background())
	}()
	w.clock.drive(t, done)
	return out.rep, out.err
}

// mustNew builds an orchestrator or fails the test.
func mustNew(t *testing.T, services []Service, opts Options) *Orchestrator {
	t.Helper()
	o, err := New(services, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return o
}

// halfSource makes every random draw 0.5: jitter and backoff are exactly
// half their ceiling, so timelines can be computed by hand.
type halfSource struct{}

func (halfSource) Uint64() uint64 { return 1 << 52 }

func half(string) rand.Source { return halfSource{} }

// inBubble is synctest.Test with a shorter name.
func inBubble(t *testing.T, f func(t *testing.T)) { synctest.Test(t, f) }

// timeline renders a report as "name result start+own" lines.
func timeline(rep *Report) []string {
	var lines []string
	for _, s := range rep.Services {
		lines = append(lines, fmt.Sprintf("%s %s @%v+%v", s.Name, s.Result, s.Start, s.Own))
	}
	return lines
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
