package orchestrate

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSystemClockGivesExactTimelinesInsideASynctestBubble(t *testing.T) {
	// Packages that embed the orchestrator (herd, serve) can test it with
	// the real clock: inside a synctest bubble, time only moves when every
	// goroutine is blocked, so the timeline is as exact as with a fake.
	inBubble(t, func(t *testing.T) {
		// Given two services that take 2s and 3s on the system clock
		clock := SystemClock()
		took := func(d time.Duration) func(context.Context) error {
			return func(ctx context.Context) error { return Sleep(ctx, clock, d) }
		}
		o := mustNew(t, []Service{
			{Name: "db", Start: took(2 * time.Second)},
			{Name: "api", DependsOn: []string{"db"}, Start: took(3 * time.Second)},
		}, Options{})

		// When start-up runs
		rep, err := o.Run(context.Background())

		// Then the api started at exactly 2s and start-up took exactly 5s
		if api, _ := rep.Service("api"); err != nil || api.Start != 2*time.Second || rep.Total != 5*time.Second {
			t.Fatalf("api %+v, total %v, err %v", api, rep.Total, err)
		}
	})
}

func TestSleepReturnsTheCauseWhenCancelled(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		// Given a context cancelled with a cause during a long sleep
		ctx, cancel := context.WithCancelCause(context.Background())
		cause := errors.New("shutting down")
		time.AfterFunc(time.Second, func() { cancel(cause) })

		// When sleeping for an hour
		err := Sleep(ctx, SystemClock(), time.Hour)

		// Then the sleep ends with the cause
		if err != cause {
			t.Fatalf("Sleep = %v, want %v", err, cause)
		}
	})
}
