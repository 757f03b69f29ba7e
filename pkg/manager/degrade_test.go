package manager

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// A real BUSY reply: a Lua script that loops past busy-reply-threshold.
func TestBusyServerIsAnOutageRetriedWithinBudgetThenFallsBack(t *testing.T) {
	srv := redistest.Start(t, "--busy-reply-threshold", "50")
	ctx := context.Background()
	script := srv.Client()
	scriptDone := make(chan error, 1)
	go func() { scriptDone <- script.Eval(ctx, "while true do end", nil).Err() }()
	admin := srv.Client()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if err := admin.Ping(ctx).Err(); err != nil && strings.HasPrefix(err.Error(), "BUSY") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server never answered BUSY")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = admin.ScriptKill(ctx).Err()
		<-scriptDone
	})

	m := newManager(t, fast(srv.URL()))
	fellBack := false
	path, err := m.DoWithFallback(ctx, get(ctx, "k"), func(_ context.Context, cause error) error {
		fellBack = Classify(cause) == Busy
		return nil
	})
	if path != PathFallback || err != nil || !fellBack {
		t.Fatalf("DoWithFallback on BUSY = %v, %v (fallback saw BUSY: %v)", path, err, fellBack)
	}
	s := m.Snapshot()
	if s.Retries != 2 || s.ByClass[Busy] < 3 {
		t.Fatalf("retries=%d busy=%d, want 2 retries of a 3-attempt call", s.Retries, s.ByClass[Busy])
	}
}

func TestApplicationErrorsStayOnTheRedisPath(t *testing.T) {
	srv := redistest.Start(t)
	m := newManager(t, fast(srv.URL()))
	ctx := context.Background()
	_ = srv.Client().LPush(ctx, "list", "x").Err()
	ran := false
	path, err := m.DoWithFallback(ctx, get(ctx, "list"), func(context.Context, error) error { ran = true; return nil })
	if path != PathRedis || ran || Classify(err) != Command {
		t.Fatalf("WRONGTYPE: path=%v fallback ran=%v err=%v", path, ran, err)
	}
	v, path, err := Get(ctx, m, func(ctx context.Context, c redis.UniversalClient) (string, error) {
		return c.Get(ctx, "missing").Result()
	}, func(context.Context, error) (string, error) { return "cached", nil })
	if !errors.Is(err, redis.Nil) || path != PathRedis || v != "" {
		t.Fatalf("GET missing = %q, %v, %v; want redis.Nil on the Redis path", v, path, err)
	}
	if m.State() != Closed {
		t.Fatal("application errors opened the breaker")
	}
}

func TestFailFastWhileOpenAllocatesNothing(t *testing.T) {
	clock := newFakeClock()
	m := newManager(t, Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true, Clock: clock})
	m.br.mu.Lock()
	m.br.transition(Open, "test")
	m.br.mu.Unlock()
	ctx := context.Background()
	op := get(ctx, "k")
	allocs := testing.AllocsPerRun(1000, func() {
		if err := m.Do(ctx, op); err != ErrCircuitOpen {
			t.Fatalf("Do while open = %v", err)
		}
	})
	if allocs != 0 {
		t.Fatalf("fail-fast allocates %.1f per call, want 0", allocs)
	}
	if m.dials.attempts.Load() != 0 {
		t.Fatal("fail-fast touched the network")
	}
}

func TestPrometheusCollector(t *testing.T) {
	srv := redistest.Start(t)
	o := fast(srv.URL())
	o.Name = "cache"
	m := newManager(t, o)
	ctx := context.Background()
	_ = m.Do(ctx, get(ctx, "nope"))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.Collector())
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP rescli_redis_breaker_state 1 for the breaker's current state, 0 for the others (CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED).
# TYPE rescli_redis_breaker_state gauge
rescli_redis_breaker_state{name="cache",state="CLOSED"} 1
rescli_redis_breaker_state{name="cache",state="DISABLED"} 0
rescli_redis_breaker_state{name="cache",state="FORCED_OPEN"} 0
rescli_redis_breaker_state{name="cache",state="HALF_OPEN"} 0
rescli_redis_breaker_state{name="cache",state="OPEN"} 0
`), "rescli_redis_breaker_state"); err != nil {
		t.Fatal(err)
	}
	misses := -1.0
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "rescli_redis_requests_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "class" && l.GetValue() == "miss" {
					misses = mt.GetCounter().GetValue()
				}
			}
		}
	}
	if misses != 1 {
		t.Fatalf("requests_total{class=miss} = %v, want 1", misses)
	}
	if n, err := testutil.GatherAndCount(reg, "rescli_redis_command_duration_seconds"); err != nil || n != 1 {
		t.Fatalf("latency histogram series = %d, %v", n, err)
	}
}
