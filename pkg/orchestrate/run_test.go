package orchestrate

import (
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestAFastBranchDoesNotWaitForASlowUnrelatedOne(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a slow database and a fast redis, each with a dependent
		w := newWorld()
		o := mustNew(t, []Service{
			w.service("redis_manager", behaviour{took: 100 * ms}),
			w.service("database", behaviour{took: 1000 * ms}),
			w.service("health_monitoring", behaviour{took: 50 * ms}, "redis_manager"),
			w.service("background_services", behaviour{took: 200 * ms}, "redis_manager", "database"),
		}, w.options())

		// When start-up runs
		rep, err := w.run(t, o)

		// Then health_monitoring starts the moment redis is up, not after
		// the database, and background_services waits for both
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := []string{
			"redis_manager started @0s+100ms",
			"database started @0s+1s",
			"health_monitoring started @100ms+50ms",
			"background_services started @1s+200ms",
		}
		if got := timeline(rep); !slices.Equal(got, want) {
			t.Fatalf("timeline =\n%v\nwant\n%v", got, want)
		}
		if rep.Total != 1200*ms {
			t.Fatalf("total = %v, want 1.2s", rep.Total)
		}
	})
}

func TestConcurrencyLimitCapsServicesStartingAtOnce(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given five independent services of 100ms and a limit of two
		w := newWorld()
		var services []Service
		for _, name := range []string{"s1", "s2", "s3", "s4", "s5"} {
			services = append(services, w.service(name, behaviour{took: 100 * ms}))
		}
		opts := w.options()
		opts.MaxConcurrent = 2
		o := mustNew(t, services, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then no more than two ever started at once, in declaration order,
		// and each queued one counts the slot wait as its wait time
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if w.maxInflight != 2 {
			t.Fatalf("max starting at once = %d, want 2", w.maxInflight)
		}
		want := []string{
			"s1 started @0s+100ms", "s2 started @0s+100ms",
			"s3 started @100ms+100ms", "s4 started @100ms+100ms",
			"s5 started @200ms+100ms",
		}
		if got := timeline(rep); !slices.Equal(got, want) {
			t.Fatalf("timeline =\n%v\nwant\n%v", got, want)
		}
		if s5, _ := rep.Service("s5"); s5.Wait != 200*ms || s5.Ready != 0 {
			t.Fatalf("s5 ready %v wait %v, want ready 0 wait 200ms", s5.Ready, s5.Wait)
		}
	})
}

func TestJitterDelaysEachStartOnceItsDependenciesAreUp(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given jitter of 400ms whose draws are all one half
		w := newWorld()
		opts := w.options()
		opts.Jitter = 400 * ms
		opts.Source = half
		o := mustNew(t, []Service{
			w.service("db", behaviour{took: 100 * ms}),
			w.service("api", behaviour{took: 100 * ms}, "db"),
		}, opts)

		// When start-up runs
		rep, err := w.run(t, o)

		// Then each start comes 200ms after its dependencies were up
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		api, _ := rep.Service("api")
		if api.Ready != 300*ms || api.Start != 500*ms || api.Wait != 500*ms {
			t.Fatalf("api ready %v start %v wait %v, want 300ms 500ms 500ms", api.Ready, api.Start, api.Wait)
		}
		if rep.Total != 600*ms {
			t.Fatalf("total = %v, want 600ms", rep.Total)
		}
	})
}

func TestTheSameSeedGivesTheSameJitteredTimeline(t *testing.T) {
	// Given two identical runs with a seeded jitter
	runOnce := func(seed uint64) []string {
		var got []string
		inBubble(t, func(t *testing.T) {
			w := newWorld()
			opts := w.options()
			opts.Jitter, opts.Seed = time.Second, seed
			var services []Service
			for _, name := range []string{"a", "b", "c", "d"} {
				services = append(services, w.service(name, behaviour{took: 10 * ms}))
			}
			rep, err := w.run(t, mustNew(t, services, opts))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			for _, s := range rep.Services {
				if s.Start < 0 || s.Start >= time.Second {
					t.Errorf("%s jitter %v outside [0, 1s)", s.Name, s.Start)
				}
			}
			got = timeline(rep)
		})
		return got
	}

	// When they run with the same seed, and once with another
	first, second, other := runOnce(7), runOnce(7), runOnce(8)

	// Then the same seed repeats the timeline and the start is spread out
	if !slices.Equal(first, second) {
		t.Fatalf("same seed, different timelines:\n%v\n%v", first, second)
	}
	if slices.Equal(first, other) {
		t.Fatalf("different seeds gave the same timeline %v", first)
	}
}

func TestRunTwiceIsRefused(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given an orchestrator that has run
		w := newWorld()
		o := mustNew(t, []Service{w.service("a", behaviour{})}, w.options())
		if _, err := w.run(t, o); err != nil {
			t.Fatalf("Run: %v", err)
		}

		// When it is run again
		_, err := w.run(t, o)

		// Then it says so instead of starting services twice
		if err != ErrAlreadyRun {
			t.Fatalf("second Run = %v, want ErrAlreadyRun", err)
		}
	})
}
