// Package manager is the resilient Redis manager a service imports: one shared
// go-redis client and pool per process, a Redis-aware circuit breaker with
// exponentially growing, jittered open waits and an active prober that drives
// recovery with no application traffic, budgeted full-jitter retries that never
// multiply an outage, graceful degradation through fallbacks, and metrics
// (a snapshot, a transition event stream and a Prometheus collector).
//
// The breaker, the retry budget and the outcome classification are written
// here rather than taken from failsafe-go v0.9.8 because that version has no
// public clock to inject, cannot combine a consecutive-failure rule with a
// failure-rate rule, takes a mutex on every permit (visible in a parallel GET
// benchmark), and counts its retry budget as a share of in-flight executions,
// not of requests. What is Redis-specific (which replies are outages, the
// maxclients rejection, go-redis's hidden retries) has no library at all.
package manager
