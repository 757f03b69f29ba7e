package orchestrate

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeSignals is a SignalSource the test fires by hand.
type fakeSignals struct {
	mu    sync.Mutex
	chans []chan<- os.Signal
}

func (f *fakeSignals) Notify(c chan<- os.Signal, _ ...os.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chans = append(f.chans, c)
}

func (f *fakeSignals) Stop(c chan<- os.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chans = slices.DeleteFunc(f.chans, func(x chan<- os.Signal) bool { return x == c })
}

func (f *fakeSignals) send(s os.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.chans {
		c <- s
	}
}

// threeTier is db <- cache <- api, each taking 100ms to start and to stop.
func threeTier(w *world) []Service {
	b := behaviour{took: 100 * ms, stopTook: 100 * ms}
	return []Service{w.service("db", b), w.service("cache", b, "db"), w.service("api", b, "cache")}
}

func TestSIGTERMStopsEverythingInReverseOrder(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a service tree that is up and serving
		w := newWorld()
		o := mustNew(t, threeTier(w), w.options())
		sig := &fakeSignals{}
		done := make(chan struct{})
		var err error
		go func() { defer close(done); _, err = o.Serve(context.Background(), sig) }()
		w.clock.advanceTo(time.Second)
		if st := o.Status(); st.Running || st.Services[2].State != StateStarted {
			t.Fatalf("not up at 1s: %+v", st)
		}

		// When SIGTERM arrives
		sig.send(syscall.SIGTERM)
		w.clock.drive(t, done)

		// Then the services stop one after another, newest first
		want := []string{"1s stop api", "1.1s stop cache", "1.2s stop db"}
		if got := w.stops(); !slices.Equal(got, want) || err != nil {
			t.Fatalf("stops = %v, err = %v; want %v", got, err, want)
		}
		for _, s := range o.Status().Services {
			if s.State != StateStopped {
				t.Errorf("%s is %s, want stopped", s.Name, s.State)
			}
		}
	})
}

func TestSIGINTDuringStartUpRollsBack(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given start-up half way: db up, cache starting
		w := newWorld()
		o := mustNew(t, threeTier(w), w.options())
		sig := &fakeSignals{}
		done := make(chan struct{})
		var err error
		go func() { defer close(done); _, err = o.Serve(context.Background(), sig) }()
		w.clock.advanceTo(150 * ms)

		// When SIGINT arrives
		sig.send(os.Interrupt)
		w.clock.drive(t, done)

		// Then start-up aborts, the db is stopped and the signal is the cause
		if got := w.stops(); !slices.Equal(got, []string{"150ms stop db"}) {
			t.Fatalf("stops = %v", got)
		}
		var se *SignalError
		if !errors.As(err, &se) || se.Signal != os.Interrupt || !errors.Is(err, ErrAborted) {
			t.Fatalf("error = %v, want an abort caused by SIGINT", err)
		}
		if api := o.Status().Services[2]; api.State != StateSkipped {
			t.Fatalf("api = %s, want skipped", api.State)
		}
	})
}

func TestStopDeadlineCutsAHungStopShortAndStillStopsTheRest(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given three started services, the middle one's Stop hangs, and a
		// stop deadline of 1s
		w := newWorld()
		services := threeTier(w)
		services[1] = w.service("cache", behaviour{took: 100 * ms, stopHang: true}, "db")
		opts := w.options()
		opts.StopTimeout = time.Second
		o := mustNew(t, services, opts)
		if _, err := w.run(t, o); err != nil {
			t.Fatalf("Run: %v", err)
		}

		// When they are stopped
		done := make(chan struct{})
		var err error
		go func() { defer close(done); err = o.Stop(context.Background()) }()
		w.clock.drive(t, done)

		// Then the hung stop is abandoned at the deadline, the db is still
		// asked to stop, and both overruns are reported
		want := []string{"300ms stop api", "400ms stop cache", "1.3s stop db"}
		if got := w.stops(); !slices.Equal(got, want) {
			t.Fatalf("stops = %v, want %v", got, want)
		}
		wantErr := "stop cache: stop deadline exceeded after 1s\nstop db: stop deadline exceeded after 1s"
		if err == nil || err.Error() != wantErr || !errors.Is(err, ErrStopTimeout) {
			t.Fatalf("error =\n%v\nwant\n%s", err, wantErr)
		}
	})
}

func TestStopIsRefusedWhileStartingAndIdempotentAfter(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a start-up in progress
		w := newWorld()
		o := mustNew(t, threeTier(w), w.options())
		done := make(chan struct{})
		go func() { defer close(done); _, _ = o.Run(context.Background()) }()
		w.clock.advanceTo(50 * ms)

		// When Stop is called during and twice after start-up
		during := o.Stop(context.Background())
		w.clock.drive(t, done)
		stopAll := func() {
			stopped := make(chan struct{})
			go func() { defer close(stopped); _ = o.Stop(context.Background()) }()
			w.clock.drive(t, stopped)
		}
		stopAll()
		stopAll()

		// Then the first is refused and each service is stopped only once
		if during != ErrRunning {
			t.Fatalf("Stop during Run = %v, want ErrRunning", during)
		}
		if got := w.stops(); len(got) != 3 {
			t.Fatalf("stops = %v, want each service once", got)
		}
	})
}
