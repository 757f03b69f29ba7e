package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRetriesBackOffWithJitterAndTimeOutHungAttempts(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a service whose first two attempts hang past a 1s timeout,
		// two retries, a 100ms backoff base, and draws of one half
		w := newWorld()
		s := w.service("redis", behaviour{took: 200 * ms, hangTo: 2})
		s.StartTimeout, s.Retries = time.Second, 2
		s.Backoff = Backoff{Base: 100 * ms, Max: time.Second}
		opts := w.options()
		opts.Source = half
		o := mustNew(t, []Service{s}, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then attempt 2 begins after 1s + 50ms, attempt 3 after a further
		// 1s + 100ms, and the third attempt succeeds at 2.35s
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		wantLog := []string{"0s start redis #1", "1.05s start redis #2", "2.15s start redis #3"}
		if got := w.logged(); !slices.Equal(got, wantLog) {
			t.Fatalf("log = %v, want %v", got, wantLog)
		}
		r, _ := rep.Service("redis")
		if r.Result != ResultStarted || r.Own != 2350*ms || r.Attempts != 3 || r.Retries != 2 {
			t.Fatalf("redis = %+v", r)
		}
	})
}

func TestACriticalServiceThatTimesOutOnEveryAttemptFailsStartUp(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a critical service that always hangs, one retry
		w := newWorld()
		s := w.service("redis", behaviour{hangTo: 99})
		s.Critical, s.StartTimeout, s.Retries = true, time.Second, 1
		s.Backoff = Backoff{Base: 100 * ms, Max: 100 * ms}
		opts := w.options()
		opts.Source = half
		o := mustNew(t, []Service{s}, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then the last attempt's timeout is the error
		want := "start redis: attempt 2 of 2: start timed out after 1s"
		if err == nil || err.Error() != want || !errors.Is(err, ErrStartTimeout) {
			t.Fatalf("error = %v, want %q", err, want)
		}
		if rep.Total != 2050*ms {
			t.Fatalf("total = %v, want 2.05s", rep.Total)
		}
	})
}

func TestAFailingHealthCheckFailsTheAttemptAndIsRetried(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a service that starts but is unhealthy the first time
		w := newWorld()
		s := w.service("search", behaviour{took: 100 * ms})
		checks := 0
		s.Health = func(context.Context) error {
			if checks++; checks == 1 {
				return errors.New("index not loaded")
			}
			return nil
		}
		s.Retries, s.Backoff = 1, Backoff{Base: 20 * ms, Max: 20 * ms}
		var events []string
		opts := w.options()
		opts.Source = half
		opts.OnEvent = func(e Event) {
			if e.State == StateRetrying {
				events = append(events, fmt.Sprintf("%v attempt %d: %v", e.At, e.Attempt, e.Err))
			}
		}
		o := mustNew(t, []Service{s}, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then the failed check is retried after 10ms and the second passes
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := []string{"100ms attempt 1: attempt 1 of 2: check health: index not loaded"}
		if !slices.Equal(events, want) {
			t.Fatalf("retry events = %v, want %v", events, want)
		}
		if r, _ := rep.Service("search"); r.Own != 210*ms || r.Retries != 1 || r.Err != nil {
			t.Fatalf("search = %+v", r)
		}
	})
}

func TestNegativeRetriesMeanOneAttempt(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a failing service declared with Retries -1
		w := newWorld()
		s := w.service("x", behaviour{failFrom: 1})
		s.Retries = -1
		o := mustNew(t, []Service{s}, w.options())

		// When start-up runs
		rep, _ := w.run(t, o)

		// Then it was tried exactly once
		if r, _ := rep.Service("x"); r.Attempts != 1 || r.Result != ResultDegraded {
			t.Fatalf("x = %+v", r)
		}
	})
}

func TestBackoffCeilingDoublesUpToItsCap(t *testing.T) {
	for _, tc := range []struct {
		b    Backoff
		want []time.Duration
	}{
		{Backoff{}, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 5 * time.Second, 5 * time.Second}},
		{Backoff{Base: time.Second, Max: 3 * time.Second}, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
	} {
		var got []time.Duration
		for retry := 1; retry <= len(tc.want); retry++ {
			got = append(got, tc.b.ceiling(retry))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: ceilings %v, want %v", tc.b, got, tc.want)
		}
	}
}

func TestAnAbortDuringBackoffEndsTheRetries(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a non-critical cache backing off for 500ms after failing at
		// 50ms, and a critical database failing at 100ms
		w := newWorld()
		cache := w.service("cache", behaviour{took: 50 * ms, failFrom: 1})
		cache.Retries, cache.Backoff = 3, Backoff{Base: time.Second, Max: time.Second}
		db := w.service("db", behaviour{took: 100 * ms, failFrom: 1})
		db.Critical = true
		opts := w.options()
		opts.Source = half
		o := mustNew(t, []Service{cache, db}, opts)

		// When start-up runs
		rep, _ := w.run(t, o)

		// Then the cache gives up at the abort instead of retrying
		c, _ := rep.Service("cache")
		if w.attempts["cache"] != 1 || c.Result != ResultSkipped || !errors.Is(c.Err, ErrAborted) || c.End != 100*ms {
			t.Fatalf("cache = %+v after %d attempts", c, w.attempts["cache"])
		}
	})
}
