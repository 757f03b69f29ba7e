package manager

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
)

// slowRedis is a real redis-server behind a chaos proxy that holds every
// request for delay: a Redis that answers everything, slowly.
func slowRedis(t *testing.T, delay time.Duration) string {
	t.Helper()
	srv := redistest.Start(t)
	if err := srv.Client().Set(context.Background(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p := chaos.NewProxy("slow", "127.0.0.1:0", srv.Addr)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if _, err := p.AddToxic(chaos.Toxic{Name: "slow", Type: "delay", Toxicity: 1,
		Attributes: chaos.Attributes{"delay": delay.Milliseconds()}}); err != nil {
		t.Fatal(err)
	}
	return "redis://" + p.Addr()
}

// slowTraffic sends rounds of concurrent GETs of "k" and returns how many
// answered "v", how many failed fast, and any other error.
func slowTraffic(m *Manager, rounds, callers int) (ok, rejected int, other error) {
	ctx := context.Background()
	var mu sync.Mutex
	for range rounds {
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				var v string
				err := m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error {
					var e error
					v, e = c.Get(ctx, "k").Result()
					return e
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && v == "v":
					ok++
				case errors.Is(err, ErrCircuitOpen):
					rejected++
				case err != nil:
					other = errors.Join(other, err)
				default:
					other = errors.Join(other, errors.New("GET k answered "+v))
				}
			})
		}
		wg.Wait()
	}
	return ok, rejected, other
}

func slowOptions(url string, slow time.Duration) Options {
	return Options{
		URL: url, PoolSize: 8,
		// Long enough for a 900ms answer (and the HELLO of a new
		// connection before it): slowness, not timeouts, is under test.
		DialTimeout: 3 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: time.Second,
		PoolTimeout: 5 * time.Second, ProbeTimeout: 5 * time.Second,
		Breaker: BreakerSettings{SlowCallDuration: slow, SlowCallRateThreshold: 0.5,
			RateMinRequests: 5, OpenTimeout: time.Minute},
	}
}

func TestSlowRedisOpensTheBreakerOnlyWithSlowCallsOn(t *testing.T) {
	url := slowRedis(t, 900*time.Millisecond)
	for _, tc := range []struct {
		name string
		slow time.Duration
		open bool
	}{{"slow calls off", 0, false}, {"slow calls at 500ms", 500 * time.Millisecond, true}} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t, slowOptions(url, tc.slow))
			sub := m.Subscribe(16)
			ok, rejected, err := slowTraffic(m, 2, 6)
			if err != nil {
				t.Fatalf("calls failed otherwise than fast: %v", err)
			}
			s := m.Snapshot()
			t.Logf("%d answered, %d failed fast; slow calls %d, p50 %v; state %v (%s)",
				ok, rejected, s.SlowCalls, s.Latency.P50, s.State, s.StateReason)
			if !tc.open {
				if s.State != Closed || rejected != 0 || ok != 12 || s.SlowCalls != 0 {
					t.Fatalf("slow calls off: state %v, %d ok, %d rejected, %d slow; want CLOSED, 12, 0, 0", s.State, ok, rejected, s.SlowCalls)
				}
				return
			}
			tr := awaitState(t, sub, Open, time.Second)
			if !strings.HasPrefix(tr.Reason, "slow calls ") || !strings.Contains(tr.Reason, "≥ 50% over 10s") {
				t.Errorf("open reason %q, want the slow-call rule", tr.Reason)
			}
			// The calls admitted before it opened were slow and still
			// answered; the second round failed fast.
			if ok < 5 || rejected == 0 || s.SlowCalls < 5 {
				t.Fatalf("%d answered (want ≥ 5 slow answers returned), %d failed fast (want > 0), %d slow", ok, rejected, s.SlowCalls)
			}
			if s.State != Open || s.StateReason != tr.Reason {
				t.Errorf("snapshot state %v (%q), want OPEN (%q)", s.State, s.StateReason, tr.Reason)
			}
		})
	}
}
