// Package verify runs resilience checks against a Redis target (and the
// services that use it) for CI: connectivity, latency, connection headroom,
// memory and eviction, persistence and replication, the client path's
// breaker behaviour through an in-process fault proxy, a managed herd, and
// the services' health endpoints. Each check yields pass, warn, fail, error
// (could not run) or skipped, with a measured value, its duration and a hint
// on how to fix a warn or fail. Reports render as JSON, JUnit XML and
// Markdown; the CLI renders the table.
package verify
