package manager_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/manager"
)

// A service builds one manager at start-up and shares it; reads degrade to a
// local value while Redis is unavailable.
func Example() {
	m, err := manager.New(manager.Options{
		URL:     "redis://127.0.0.1:6379/0", // or manager.Default(), built from REDIS_URL
		Breaker: manager.BreakerSettings{FailureThreshold: 5, OpenTimeout: 60 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	ctx := context.Background()
	session, path, err := manager.Get(ctx, m,
		func(ctx context.Context, c redis.UniversalClient) (string, error) {
			return c.Get(ctx, "session:42").Result()
		},
		func(ctx context.Context, cause error) (string, error) {
			return "anonymous", nil // Redis is down: serve a degraded answer
		})
	switch {
	case errors.Is(err, redis.Nil):
		fmt.Println("no session")
	case err != nil:
		log.Print(err)
	case path == manager.PathFallback:
		fmt.Println("degraded:", session)
	default:
		fmt.Println("session:", session)
	}

	// Watch the breaker.
	sub := m.Subscribe(16)
	defer sub.Close()
	go func() {
		for t := range sub.C {
			log.Printf("redis breaker %v -> %v: %s", t.From, t.To, t.Reason)
		}
	}()
	_ = m.Snapshot() // state, trips, pool, latency p50/p90/p99, failures by class
}

// An operator holds the breaker open to shed load from a struggling Redis:
// calls fail fast with ErrForcedOpen (an ErrCircuitOpen, so fallbacks run)
// until Reset; no probe closes it.
func ExampleManager_ForceOpen() {
	m, err := manager.New(manager.Options{URL: "redis://127.0.0.1:6379"})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	m.ForceOpen("INC-7: shed load")
	err = m.Do(context.Background(), func(ctx context.Context, c redis.UniversalClient) error {
		return c.Ping(ctx).Err()
	})
	s := m.Snapshot()
	fmt.Println(s.State, s.StateReason, errors.Is(err, manager.ErrCircuitOpen))

	m.Reset()
	fmt.Println(m.State())
	// Output:
	// FORCED_OPEN INC-7: shed load true
	// CLOSED
}

// Slow calls: a Redis that answers every call, but in 900 ms, opens the
// breaker once half the calls over the rate window took over 500 ms.
func ExampleBreakerSettings_slowCalls() {
	_ = manager.Options{URL: "redis://127.0.0.1:6379", Breaker: manager.BreakerSettings{
		SlowCallDuration:      500 * time.Millisecond,
		SlowCallRateThreshold: 0.5, // of the calls over RateWindow (10s), at least RateMinRequests (20)
	}}
}
