package orchestrate

import (
	"context"
	"time"
)

// Service is one unit of start-up. Only Name and Start are required.
//
// Start, Stop and Health must honour their context: the orchestrator cancels
// it on timeout or abort and then waits for the call to return.
type Service struct {
	// Name identifies the service; other services depend on it by this name.
	Name string
	// DependsOn names the services that must be up before this one starts.
	DependsOn []string
	// Critical services abort the whole start-up when they fail; a
	// non-critical failure only marks the service degraded and skips its
	// dependents.
	Critical bool

	// Start brings the service up. It is retried up to Retries times.
	Start func(ctx context.Context) error
	// Stop takes the service down; nil means there is nothing to stop.
	Stop func(ctx context.Context) error
	// Health, if set, is called after Start succeeds, within the same
	// attempt; the service is up only when it returns nil.
	Health func(ctx context.Context) error

	// StartTimeout bounds each attempt (Start plus Health); zero means none.
	StartTimeout time.Duration
	// Retries is how many times a failed attempt is retried.
	Retries int
	// Backoff is the delay between attempts; the zero value means
	// DefaultBackoff.
	Backoff Backoff
}

// Backoff is a capped exponential backoff with full jitter: before retry n
// (counting from 1) the orchestrator waits a random duration in
// [0, min(Max, Base*2^(n-1))).
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// DefaultBackoff is used when a service leaves Backoff zero.
var DefaultBackoff = Backoff{Base: 100 * time.Millisecond, Max: 5 * time.Second}

// ceiling returns the upper bound of the jittered delay before retry n.
func (b Backoff) ceiling(n int) time.Duration {
	if b == (Backoff{}) {
		b = DefaultBackoff
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	return d
}

// Result is how a service's start-up ended.
type Result string

// Results of a service's start-up.
const (
	ResultStarted  Result = "started"
	ResultDegraded Result = "degraded"
	ResultFailed   Result = "failed"
	ResultSkipped  Result = "skipped"
)

// State is where a service is in its lifecycle; Status reports it.
type State string

// States of a service, in lifecycle order.
const (
	StatePending  State = "pending"  // waiting for dependencies
	StateWaiting  State = "waiting"  // dependencies up; in jitter or queued for a slot
	StateStarting State = "starting" // an attempt is running
	StateRetrying State = "retrying" // backing off between attempts
	StateStarted  State = "started"
	StateDegraded State = "degraded"
	StateFailed   State = "failed"
	StateSkipped  State = "skipped"
	StateStopping State = "stopping"
	StateStopped  State = "stopped"
)

// result maps a settled state to its start-up Result.
func (s State) result() Result {
	switch s {
	case StateStarted, StateStopping, StateStopped:
		return ResultStarted
	case StateDegraded:
		return ResultDegraded
	case StateFailed:
		return ResultFailed
	default:
		return ResultSkipped
	}
}
