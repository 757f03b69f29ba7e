package orchestrate

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCriticalFailureRollsBackInReverseStartOrderAndJoinsErrors(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a chain config -> redis -> worker -> reporter, and a critical
		// database that fails at 300ms while worker is still starting
		w := newWorld()
		db := w.service("database", behaviour{took: 300 * ms, failFrom: 1})
		db.Critical = true
		config := w.service("config", behaviour{took: 100 * ms, stopErr: errors.New("flush failed")})
		o := mustNew(t, []Service{
			config,
			w.service("redis", behaviour{took: 100 * ms}, "config"),
			db,
			w.service("worker", behaviour{took: 500 * ms}, "redis"),
			w.service("reporter", behaviour{took: 10 * ms}, "worker"),
		}, w.options())

		// When start-up runs
		rep, err := w.run(t, o)

		// Then the worker's start is cancelled, the reporter never starts,
		// and redis then config are stopped, newest first
		wantStarts := []string{
			"0s start config #1", "0s start database #1",
			"100ms start redis #1", "200ms start worker #1",
		}
		if got := w.starts(); !slices.Equal(got, wantStarts) {
			t.Fatalf("starts =\n%v\nwant\n%v", got, wantStarts)
		}
		if got, want := w.stops(), []string{"300ms stop redis", "300ms stop config"}; !slices.Equal(got, want) {
			t.Fatalf("stops = %v, want %v", got, want)
		}
		// And every error comes back joined, each naming its service
		wantErr := "start database: attempt 1 of 1: connect database: boom\nstop config: flush failed"
		if err == nil || err.Error() != wantErr {
			t.Fatalf("error =\n%v\nwant\n%s", err, wantErr)
		}
		var se *ServiceError
		if !errors.Is(err, errBoom) || !errors.As(err, &se) || se.Service != "database" {
			t.Fatalf("error %v should wrap errBoom in a ServiceError for database", err)
		}
		// And the report says who did what
		want := []string{
			"config started @0s+100ms", "redis started @100ms+100ms",
			"database failed @0s+300ms", "worker skipped @200ms+100ms",
			"reporter skipped @0s+0s",
		}
		if got := timeline(rep); !slices.Equal(got, want) {
			t.Fatalf("timeline =\n%v\nwant\n%v", got, want)
		}
		if r, _ := rep.Service("reporter"); !errors.Is(r.Err, ErrAborted) {
			t.Fatalf("reporter error = %v, want ErrAborted", r.Err)
		}
	})
}

func TestNonCriticalFailureDegradesAndSkipsOnlyItsDependents(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a cache that fails, a warmer depending on it, a report
		// depending on the warmer, and an api that needs only the database
		w := newWorld()
		o := mustNew(t, []Service{
			w.service("database", behaviour{took: 100 * ms}),
			w.service("cache", behaviour{took: 50 * ms, failFrom: 1}),
			w.service("warmer", behaviour{took: 10 * ms}, "cache"),
			w.service("report", behaviour{took: 10 * ms}, "warmer", "database"),
			w.service("api", behaviour{took: 200 * ms}, "database"),
		}, w.options())

		// When start-up runs
		rep, err := w.run(t, o)

		// Then start-up succeeds without the cache's dependents
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := []string{
			"database started @0s+100ms", "cache degraded @0s+50ms",
			"warmer skipped @0s+0s", "report skipped @0s+0s",
			"api started @100ms+200ms",
		}
		if got := timeline(rep); !slices.Equal(got, want) {
			t.Fatalf("timeline =\n%v\nwant\n%v", got, want)
		}
		r, _ := rep.Service("report")
		if !errors.Is(r.Err, ErrDependencyFailed) || r.Err.Error() != "dependency failed: cache degraded" {
			t.Fatalf("report error = %v", r.Err)
		}
		// And the cache's blast radius names everything it took down
		cache := o.Status().Services[1]
		if cache.State != StateDegraded || !slices.Equal(cache.BlastRadius, []string{"warmer", "report"}) {
			t.Fatalf("cache status = %+v", cache)
		}
	})
}

func TestCancellingRunRollsBackWhatStarted(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a started database and a slow api in flight
		w := newWorld()
		o := mustNew(t, []Service{
			w.service("database", behaviour{took: 100 * ms}),
			w.service("api", behaviour{took: time.Hour}, "database"),
		}, w.options())
		ctx, cancel := contextWithCancel()
		done := make(chan struct{})
		var err error
		go func() { defer close(done); _, err = o.Run(ctx) }()
		w.clock.advanceTo(500 * ms)

		// When the caller cancels
		cancel()
		w.clock.drive(t, done)

		// Then the api is abandoned and the database stopped
		if got := w.stops(); !slices.Equal(got, []string{"500ms stop database"}) {
			t.Fatalf("stops = %v", got)
		}
		if !errors.Is(err, ErrAborted) || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestAServiceThatFinishesStartingDuringAnAbortIsStoppedToo(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a critical service failing at 100ms while a stubborn one,
		// which ignores cancellation, finishes starting at 200ms
		w := newWorld()
		bad := w.service("bad", behaviour{took: 100 * ms, failFrom: 1})
		bad.Critical = true
		stubborn := w.service("stubborn", behaviour{})
		stubborn.Start = func(context.Context) error {
			return Sleep(context.Background(), w.clock, 200*ms)
		}
		o := mustNew(t, []Service{bad, stubborn}, w.options())

		// When start-up runs
		rep, err := w.run(t, o)

		// Then the rollback waits for it and stops it
		if got := w.stops(); !slices.Equal(got, []string{"200ms stop stubborn"}) || err == nil {
			t.Fatalf("stops = %v, err = %v", got, err)
		}
		if rep.Total != 200*ms {
			t.Fatalf("total = %v, want 200ms", rep.Total)
		}
	})
}

func TestRunWithACancelledContextStartsNothing(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a context cancelled before start-up
		w := newWorld()
		o := mustNew(t, threeTier(w), w.options())
		ctx, cancel := contextWithCancel()
		cancel()

		// When Run is called
		rep, err := o.Run(ctx)

		// Then nothing starts and every service is skipped
		if !errors.Is(err, ErrAborted) || !errors.Is(err, context.Canceled) || len(w.logged()) != 0 {
			t.Fatalf("err = %v, log = %v", err, w.logged())
		}
		for _, s := range rep.Services {
			if s.Result != ResultSkipped {
				t.Errorf("%s = %s, want skipped", s.Name, s.Result)
			}
		}
	})
}

// nearlyOne makes every draw just under one: jitter is all but its maximum.
type nearlyOne struct{}

func (nearlyOne) Uint64() uint64 { return 1<<53 - 1 }

func TestAnAbortSkipsQueuedAndJitteringServices(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given one slot, 200ms of jitter (100ms for most, ~200ms for late)
		// and a critical service that takes the slot first and fails
		w := newWorld()
		bad := w.service("bad", behaviour{took: 50 * ms, failFrom: 1})
		bad.Critical = true
		opts := w.options()
		opts.MaxConcurrent, opts.Jitter = 1, 200*ms
		opts.Source = func(name string) rand.Source {
			if name == "late" {
				return nearlyOne{}
			}
			return halfSource{}
		}
		o := mustNew(t, []Service{
			bad, w.service("queued", behaviour{}), w.service("late", behaviour{}),
		}, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then nothing else starts: the queued one and the one still in its
		// jitter are both skipped when bad fails at 150ms
		if got := w.starts(); !slices.Equal(got, []string{"100ms start bad #1"}) {
			t.Fatalf("starts = %v", got)
		}
		for _, name := range []string{"queued", "late"} {
			if s, _ := rep.Service(name); s.Result != ResultSkipped || !errors.Is(s.Err, ErrAborted) {
				t.Errorf("%s = %+v, want skipped by the abort", name, s)
			}
		}
		if rep.Total != 150*ms || !errors.Is(err, errBoom) {
			t.Fatalf("total = %v, err = %v", rep.Total, err)
		}
	})
}
