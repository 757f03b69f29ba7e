package manager

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

func TestMain(m *testing.M) {
	// go-redis's pool starts a dial prober after PoolSize failed dials; it
	// sleeps a second before noticing the pool closed.
	redis.SetLogger(quietLogger{})
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// fast returns options with sub-second timings so outages resolve quickly.
func fast(url string) Options {
	return Options{
		URL:          url,
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond,
		PoolTimeout:  300 * time.Millisecond,
		ProbeTimeout: 300 * time.Millisecond,
		Breaker:      BreakerSettings{OpenTimeout: 300 * time.Millisecond, MaxOpenTimeout: time.Second},
	}
}

func newManager(t *testing.T, o Options) *Manager {
	t.Helper()
	m, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if !o.DisableMonitor { // let the monitor's first PING land before faults
		for deadline := time.Now().Add(5 * time.Second); m.Snapshot().Ping.At.IsZero(); {
			if time.Now().After(deadline) {
				t.Fatal("the monitor's first health check never ran")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return m
}

func get(ctx context.Context, key string) Op {
	return func(ctx context.Context, c redis.UniversalClient) error { return c.Get(ctx, key).Err() }
}

// awaitState waits for a transition to want on sub, or fails after limit.
func awaitState(t *testing.T, sub *Subscription, want State, limit time.Duration) Transition {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case tr := <-sub.C:
			if tr.To == want {
				return tr
			}
		case <-deadline:
			t.Fatalf("no transition to %v within %v", want, limit)
		}
	}
}

func TestKilledServerOpensFailsFastFallsBackAndRecoversByItself(t *testing.T) {
	srv := redistest.Start(t)
	m := newManager(t, fast(srv.URL()))
	sub := m.Subscribe(16)
	ctx := context.Background()
	if err := m.Do(ctx, get(ctx, "warm")); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET on a healthy server: %v", err)
	}

	srv.Kill()
	for i := 0; m.State() == Closed; i++ {
		if i > 20 {
			t.Fatalf("breaker still closed after %d failing calls", i)
		}
		_ = m.Do(ctx, get(ctx, "k"))
	}
	opened := awaitState(t, sub, Open, time.Second)
	if opened.Err == "" {
		t.Error("the OPEN transition carries no error")
	}

	// Fails fast: no dial while open.
	dials := m.dials.attempts.Load()
	if err := m.Do(ctx, get(ctx, "k")); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("call while open = %v, want ErrCircuitOpen", err)
	}
	path, err := m.DoWithFallback(ctx, get(ctx, "k"), func(context.Context, error) error { return nil })
	if path != PathFallback || err != nil {
		t.Fatalf("DoWithFallback while open = %v, %v; want fallback, nil", path, err)
	}
	if got := m.dials.attempts.Load(); got != dials {
		t.Fatalf("%d dials while open, want 0", got-dials)
	}

	// Restart on the same port: the prober closes the breaker with no
	// application calls.
	srv.Restart()
	restarted := time.Now()
	closed := awaitState(t, sub, Closed, 5*time.Second)
	took := time.Since(restarted)
	// Bound: the longest open wait (MaxOpenTimeout) plus one probe interval,
	// plus go-redis's own dial prober (1s) if its pool had given up dialing.
	bound := m.opts.Breaker.MaxOpenTimeout + m.opts.ProbeInterval + time.Second
	t.Logf("closed %v after restart (bound %v): %s", took, bound, closed.Reason)
	if took > bound {
		t.Fatalf("recovery took %v, want <= %v", took, bound)
	}
	if err := m.Do(ctx, get(ctx, "k")); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET after recovery: %v", err)
	}
	if s := m.Snapshot(); s.Trips < 1 || s.Recoveries < 1 || s.Fallbacks != 1 || s.Rejected < 2 {
		t.Fatalf("snapshot trips=%d recoveries=%d fallbacks=%d rejected=%d", s.Trips, s.Recoveries, s.Fallbacks, s.Rejected)
	}
}

func TestPausedServerTimesOutOpensAndRecovers(t *testing.T) {
	srv := redistest.Start(t)
	m := newManager(t, fast(srv.URL()))
	sub := m.Subscribe(16)
	ctx := context.Background()
	if err := m.Do(ctx, get(ctx, "warm")); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET: %v", err)
	}
	srv.Pause()
	t.Cleanup(srv.Resume)
	for i := 0; i < 5; i++ {
		start := time.Now()
		err := m.Do(ctx, get(ctx, "k"))
		if c := Classify(err); c != Timeout {
			t.Fatalf("call %d on a paused server: %v (class %v), want a timeout", i, err, c)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("call %d took %v: deadlines not applied", i, took)
		}
	}
	awaitState(t, sub, Open, time.Second)
	if err := m.Do(ctx, get(ctx, "k")); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("after 5 timeouts: %v, want ErrCircuitOpen", err)
	}
	srv.Resume()
	awaitState(t, sub, Closed, 5*time.Second)
}

func TestCacheMissesNeverOpenTheBreaker(t *testing.T) {
	srv := redistest.Start(t)
	m := newManager(t, fast(srv.URL()))
	ctx := context.Background()
	if err := srv.Client().Set(ctx, "hit", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		key := "hit"
		if i%5 != 0 {
			key = fmt.Sprintf("miss:%d", i) // 80% misses
		}
		if err := m.Do(ctx, get(ctx, key)); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("GET %s: %v", key, err)
		}
	}
	s := m.Snapshot()
	if s.State != Closed || s.Failures != 0 || s.ByClass[Miss] != 400 {
		t.Fatalf("state=%v failures=%d misses=%d, want CLOSED, 0, 400", s.State, s.Failures, s.ByClass[Miss])
	}
}

func TestFullOutageCostsAtMostOnePointTwoNetworkAttemptsPerCommand(t *testing.T) {
	srv := redistest.Start(t)
	o := fast(srv.URL())
	o.Breaker.OpenTimeout = 50 * time.Millisecond // probes during the run count too
	m := newManager(t, o)
	srv.Kill()

	var commands atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				commands.Add(1)
				_ = m.Do(ctx, get(ctx, "k"))
				time.Sleep(time.Millisecond) // a caller's pace, not a busy loop
			}
		}()
	}
	wg.Wait()
	s := m.Snapshot()
	attempts := s.DialAttempts // nothing listens: every network attempt is a dial
	ratio := float64(attempts) / float64(commands.Load())
	t.Logf("%d commands, %d dial attempts, %d retries (%d denied by budget): %.3f attempts/command",
		commands.Load(), attempts, s.Retries, s.RetriesDenied, ratio)
	if ratio > 1.2 {
		t.Fatalf("%.2f network attempts per command during an outage, want <= 1.2", ratio)
	}
	if s.Rejected == 0 {
		t.Fatal("no call failed fast: the breaker never opened")
	}
}

func TestMaxClientsRejectionIsReported(t *testing.T) {
	srv := redistest.Start(t, "--maxclients", "3")
	ctx := context.Background()
	// Take every slot with plain clients; the first also reads INFO.
	var admin *redis.Client
	for range 3 {
		c := srv.Client()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("filler client: %v", err)
		}
		admin = c
	}
	rejected := func() string {
		return redistest.ParseInfo(admin.Info(ctx, "stats").Val())["rejected_connections"]
	}
	before := rejected()
	o := fast(srv.URL())
	o.Retry.MaxAttempts = 1
	m := newManager(t, o)
	err := m.Do(ctx, get(ctx, "k"))
	if !errors.Is(err, ErrMaxClients) || Classify(err) != MaxClients {
		t.Fatalf("GET past maxclients = %v (class %v), want ErrMaxClients", err, Classify(err))
	}
	s := m.Snapshot()
	if s.MaxClientsRejections == 0 || s.ByClass[MaxClients] == 0 {
		t.Fatalf("snapshot maxclients_rejections=%d by_class=%v", s.MaxClientsRejections, s.ByClass)
	}
	if after := rejected(); after == before {
		t.Fatalf("server's rejected_connections did not move (%s): the test did not hit maxclients", after)
	}
}

func TestSubscriberThatNeverReadsDoesNotStall(t *testing.T) {
	m := newManager(t, Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true, Clock: newFakeClock()})
	stuck := m.Subscribe(1)
	live := m.Subscribe(64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 { // 20 trips and 20 half-opens
			m.br.mu.Lock()
			m.br.transition(Open, "test")
			m.br.transition(HalfOpen, "test")
			m.br.mu.Unlock()
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("transitions blocked on a subscriber that never reads")
	}
	if stuck.Dropped() != 39 {
		t.Fatalf("stuck subscriber dropped %d, want 39 (buffer 1 of 40)", stuck.Dropped())
	}
	if live.Dropped() != 0 || len(live.C) != 40 {
		t.Fatalf("live subscriber got %d, dropped %d", len(live.C), live.Dropped())
	}
	if m.Snapshot().EventsDropped != 39 {
		t.Fatalf("snapshot events_dropped = %d", m.Snapshot().EventsDropped)
	}
}
