package orchestrate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestStatusShowsEachServiceWhileStartUpRuns(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given the seed example with a slow database, mid start-up
		w := newWorld()
		o := mustNew(t, []Service{
			w.service("redis_manager", behaviour{took: 400 * ms}),
			w.service("database", behaviour{took: 900 * ms}),
			w.service("background_services", behaviour{took: 300 * ms}, "redis_manager", "database"),
			w.service("health_monitoring", behaviour{took: 300 * ms}, "redis_manager"),
		}, w.options())
		done := make(chan struct{})
		go func() { defer close(done); _, _ = o.Run(context.Background()) }()

		// When a snapshot is taken at 500ms
		w.clock.advanceTo(500 * ms)
		st := o.Status()

		// Then it shows who is up, who is starting and who is waiting, with
		// their times so far
		got := make([]string, len(st.Services))
		for i, s := range st.Services {
			got[i] = fmt.Sprintf("%s %s phase %d wait %v own %v", s.Name, s.State, s.Phase, s.Wait, s.Own)
		}
		want := []string{
			"redis_manager started phase 1 wait 0s own 400ms",
			"database starting phase 1 wait 0s own 500ms",
			"background_services pending phase 2 wait 500ms own 0s",
			"health_monitoring starting phase 2 wait 400ms own 100ms",
		}
		if !st.Running || st.Elapsed != 500*ms || !slices.Equal(got, want) {
			t.Fatalf("status at %v running=%v:\n%v\nwant\n%v", st.Elapsed, st.Running, got, want)
		}
		if deps := st.Services[2].DependsOn; !slices.Equal(deps, []string{"redis_manager", "database"}) {
			t.Fatalf("background_services depends on %v", deps)
		}
		w.clock.drive(t, done)
	})
}

func TestEventsReportEveryTransitionAndMayReadStatus(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a listener that also takes a snapshot on every event
		w := newWorld()
		var mu sync.Mutex
		var got []string
		opts := w.options()
		var o *Orchestrator
		opts.OnEvent = func(e Event) {
			running := o.Status().Running
			mu.Lock()
			defer mu.Unlock()
			got = append(got, fmt.Sprintf("%v %s %s running=%v", e.At, e.Service, e.State, running))
		}
		o = mustNew(t, []Service{
			w.service("db", behaviour{took: 100 * ms}),
			w.service("cache", behaviour{took: 50 * ms, failFrom: 1}, "db"),
			w.service("warmer", behaviour{}, "cache"),
		}, opts)

		// When start-up runs and then everything stops
		if _, err := w.run(t, o); err != nil {
			t.Fatalf("Run: %v", err)
		}
		stopped := make(chan struct{})
		go func() { defer close(stopped); _ = o.Stop(context.Background()) }()
		w.clock.drive(t, stopped)

		// Then the listener saw every transition in order
		want := []string{
			"0s db waiting running=true", "0s db starting running=true",
			"100ms db started running=true",
			"100ms cache waiting running=true", "100ms cache starting running=true",
			"150ms cache degraded running=true", "150ms warmer skipped running=true",
			"150ms db stopping running=false", "150ms db stopped running=false",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("events =\n%v\nwant\n%v", got, want)
		}
	})
}

func TestStatusIsSafeToPollFromAnotherGoroutineDuringARealRun(t *testing.T) {
	// Given forty services on the system clock, in a dependency chain of
	// fan-outs, and a goroutine polling Status until start-up ends
	var services []Service
	for i := range 40 {
		s := svc(fmt.Sprintf("s%02d", i))
		if i > 0 {
			s.DependsOn = []string{fmt.Sprintf("s%02d", i/4)}
		}
		s.Stop = nop
		services = append(services, s)
	}
	o := mustNew(t, services, Options{MaxConcurrent: 4})
	done := make(chan struct{})
	var polls, maxStarted int
	go func() {
		defer close(done)
		for {
			st := o.Status()
			polls++
			started := 0
			for _, s := range st.Services {
				if s.State == StateStarted {
					started++
				}
			}
			maxStarted = max(maxStarted, started)
			if !st.Running && started == len(services) {
				return
			}
		}
	}()

	// When start-up runs
	rep, err := o.Run(context.Background())
	<-done

	// Then it completes, the poller saw a consistent end state, and the
	// race detector found nothing
	if err != nil || polls == 0 || maxStarted != 40 {
		t.Fatalf("err=%v polls=%d maxStarted=%d", err, polls, maxStarted)
	}
	if rep.Total < 0 || rep.Total > time.Minute {
		t.Fatalf("total = %v", rep.Total)
	}
	if err := o.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestStatusJSONNamesTheBlastRadiusOfAFailure(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a critical database that fails with two services behind it
		w := newWorld()
		db := w.service("db", behaviour{took: 20 * ms, failFrom: 1})
		db.Critical = true
		o := mustNew(t, []Service{db, w.service("api", behaviour{}, "db"), w.service("ui", behaviour{}, "api")}, w.options())
		_, _ = w.run(t, o)

		// When the snapshot is marshalled
		got, err := json.Marshal(o.Status())

		// Then the failure and what it took down are in it
		want := `{"running":false,"elapsed_ms":20,"services":[` +
			`{"name":"db","state":"failed","critical":true,"phase":1,"depends_on":[],"wait_ms":0,"own_ms":20,"attempts":1,` +
			`"last_error":"attempt 1 of 1: connect db: boom","blast_radius":["api","ui"]},` +
			`{"name":"api","state":"skipped","critical":false,"phase":2,"depends_on":["db"],"wait_ms":0,"own_ms":0,"attempts":0,` +
			`"last_error":"start-up aborted: critical service db failed"},` +
			`{"name":"ui","state":"skipped","critical":false,"phase":3,"depends_on":["api"],"wait_ms":0,"own_ms":0,"attempts":0,` +
			`"last_error":"start-up aborted: critical service db failed"}]}`
		if err != nil || string(got) != want {
			t.Fatalf("json = %s, %v\nwant %s", got, err, want)
		}
	})
}
