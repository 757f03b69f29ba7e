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
