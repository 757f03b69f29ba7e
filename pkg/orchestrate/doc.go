// Package orchestrate is the application lifecycle: it starts services in
// the order their dependency graph allows and stops them in reverse. The graph
// is validated before anything starts; each service starts as soon as its
// dependencies are up, under a concurrency limit and jitter, with per-service
// timeouts and jittered retries; a non-critical failure skips only its
// dependents, a critical one rolls back; and every run yields a timeline with
// its critical path. Time comes from an injected Clock so tests replay exact
// timelines.
package orchestrate
