package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestCheckHealthAsksEveryStartedServiceWithinATimeout(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a healthy db, a cache whose check hangs, a worker with no
		// check and a search service that degraded at start-up
		w := newWorld()
		db := w.service("db", behaviour{})
		db.Health = func(ctx context.Context) error { return Sleep(ctx, w.clock, 10*ms) }
		cache := w.service("cache", behaviour{})
		checks := 0
		cache.Health = func(ctx context.Context) error {
			if checks++; checks == 1 {
				return nil // the check at start-up passes
			}
			<-ctx.Done()
			return ctx.Err()
		}
		services := []Service{db, cache, w.service("worker", behaviour{}), w.service("search", behaviour{failFrom: 1})}
		o := mustNew(t, services, w.options())
		if _, err := w.run(t, o); err != nil {
			t.Fatalf("Run: %v", err)
		}

		// When health is checked with a 1s bound
		done := make(chan struct{})
		var results []HealthResult
		go func() { defer close(done); results = o.CheckHealth(context.Background(), time.Second) }()
		w.clock.drive(t, done)

		// Then each answer is there, the hung one cut off at 1s
		var got []string
		for _, r := range results {
			got = append(got, fmt.Sprintf("%s %s %v +%v", r.Service, r.State, r.Err, r.Took))
		}
		want := []string{
			"db started <nil> +10ms",
			"cache started health check timed out after 1s +1s",
			"worker started <nil> +0s",
			"search degraded service not started: degraded +0s",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("results =\n%v\nwant\n%v", got, want)
		}
		if !errors.Is(results[1].Err, ErrHealthTimeout) || !errors.Is(results[3].Err, ErrNotStarted) {
			t.Fatalf("errors are not the sentinels: %v, %v", results[1].Err, results[3].Err)
		}
	})
}
