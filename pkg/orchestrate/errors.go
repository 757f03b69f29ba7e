package orchestrate

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCycle is returned (wrapped in a *CycleError) when services depend on
// each other in a loop.
var ErrCycle = errors.New("dependency cycle")

// ErrUnknownDependency is returned (wrapped in an *UnknownDependencyError)
// when a service depends on a name that no service declares.
var ErrUnknownDependency = errors.New("unknown dependency")

// ErrDuplicateService is returned when two services share a name.
var ErrDuplicateService = errors.New("duplicate service name")

// ErrInvalidService is returned when a service lacks a name or a Start func.
var ErrInvalidService = errors.New("invalid service")

// ErrStartTimeout is the cause of a start attempt that ran past the
// service's StartTimeout.
var ErrStartTimeout = errors.New("start timed out")

// ErrStopTimeout is the cause of stops cut short by Options.StopTimeout.
var ErrStopTimeout = errors.New("stop deadline exceeded")

// ErrDependencyFailed is the error of a service skipped because a service it
// depends on (directly or transitively) did not come up.
var ErrDependencyFailed = errors.New("dependency failed")

// ErrAborted is the error of a service that did not start because start-up
// was aborted by a critical failure or by cancellation of the run.
var ErrAborted = errors.New("start-up aborted")

// ErrAlreadyRun is returned by Run when the orchestrator has already run;
// build a new Orchestrator to start again.
var ErrAlreadyRun = errors.New("orchestrator already run")

// ErrRunning is returned by Stop while Run is still starting services; cancel
// Run's context instead, which rolls back what has started.
var ErrRunning = errors.New("start-up still running")

// CycleError reports one dependency cycle. Path starts and ends with the
// same service; it begins at the cycle's alphabetically smallest member.
type CycleError struct {
	Path []string
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("%v: %s", ErrCycle, strings.Join(e.Path, " -> "))
}

// Unwrap lets errors.Is(err, ErrCycle) match.
func (e *CycleError) Unwrap() error { return ErrCycle }

// UnknownDependencyError reports a dependency name that no service declares.
type UnknownDependencyError struct {
	Service    string
	Dependency string
}

func (e *UnknownDependencyError) Error() string {
	return fmt.Sprintf("service %q: %v %q", e.Service, ErrUnknownDependency, e.Dependency)
}

// Unwrap lets errors.Is(err, ErrUnknownDependency) match.
func (e *UnknownDependencyError) Unwrap() error { return ErrUnknownDependency }

// ServiceError wraps an error of one service with the operation that failed.
type ServiceError struct {
	Service string
	Op      string // "start" or "stop"
	Err     error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Op, e.Service, e.Err)
}

func (e *ServiceError) Unwrap() error { return e.Err }
