// Package health serves and reads service health: HTTP handlers that a
// service embeds (GET/HEAD /health for load balancers; admin-only
// /health/detailed, /health/redis and /health/services; Prometheus /metrics;
// the admin-only breaker control POST /admin/breaker)
// answering from state cached by a background poller, never from a Redis
// round trip on the request path; and a Client that fetches and normalises
// health documents (rescli's own, Spring Boot Actuator, Kubernetes /livez
// /readyz text, plain 200/503) for `rescli health`, `watch` and `verify`.
//
// Documents follow the IETF draft "Health Check Response Format for HTTP
// APIs" (media type application/health+json): status pass|warn|fail,
// version, checks keyed "component:measurement". pass and warn answer 200,
// fail answers 503; every answer carries Cache-Control: no-store.
// /health/redis keeps the seed's two fields: "status" (in the draft's words,
// where the seed said "healthy") and "circuit_breaker_state" (closed, open,
// half_open, or an operator's forced_open or disabled); its "redis" object has the breaker, PING, latency, pool and
// INFO facts (clients vs maxclients, rejected connections, memory vs
// maxmemory, role). /health/services has one check per orchestrated service
// with its state, phase, dependencies, wait and start times, last error and
// blast radius; /health/detailed has all of it and the recent transitions.
//
// # Decision rules
//
// Redis checks (from the manager's snapshot and the poller's INFO facts):
//   - redis:circuitBreaker: CLOSED pass, HALF_OPEN warn (probing recovery),
//     OPEN fail; FORCED_OPEN fail, like OPEN: the service does not use
//     Redis, whoever decided it; DISABLED warn: Redis is used, but nothing
//     protects the service from it any more. The output says who and why.
//   - redis:responseTime, the monitor's last PING through the app's pool:
//     no PING yet warn; PING error fail; latency over
//     Thresholds.ResponseTime warn; older than two health intervals plus
//     Thresholds.ResponseTime while the breaker is closed, forced open or
//     disabled warn (stale).
//   - redis:pool: every pool connection in use warn.
//   - redis:connections: connected_clients at or above Thresholds.Clients
//     of maxclients warn; INFO unreadable warn.
//   - redis:rejectedConnections: rejected_connections grew since the
//     previous poll warn (the thundering-herd symptom).
//   - redis:memory: used_memory at or above Thresholds.Memory of maxmemory
//     warn.
//   - redis:replication: a replica whose master link is not up warn.
//
// Orchestrated services (service:<name>): started and healthy pass; a
// critical service failed or unhealthy fail; a non-critical one failed,
// degraded, skipped or unhealthy warn; still starting warn.
//
// The overall status is the worst check, except that Redis counts as warn
// at most unless Options.RedisCritical: a service that degrades gracefully
// keeps serving while Redis is down, and a load balancer should not take
// every replica out because their shared Redis is. A forced-open breaker
// counts the same: /health stays 200 (warn) while an operator sheds Redis
// load, so the load balancer keeps the degraded service in rotation;
// with RedisCritical it fails, as for an open breaker. Before the first poll
// has completed, while start-up is in progress and once shutdown has begun
// the overall status is fail, so that no load balancer sends traffic to a
// service that has not been checked or is draining. pass is never reported
// before the first check has run.
//
// # Breaker control
//
// POST /admin/breaker with {"action":"force-open"|"disable"|"reset",
// "reason":"..."} calls the Manager's ForceOpen, Disable or Reset and
// answers the breaker's new state (BreakerState, application/json). The
// reason is needed for force-open and disable (it is recorded in the
// transition, the documents and the log), at most MaxReasonLen bytes with
// no control characters. The body is one strict JSON document: unknown
// fields, a key twice or data after it answer 400, over 4 KiB 413; other
// methods 405. Client.BreakerAction sends it.
//
// Admin endpoints need "Authorization: Bearer <token>", compared in
// constant time: missing gives 401 with WWW-Authenticate, wrong gives 403,
// and with no token configured they are disabled (404), never open.
// /metrics is unauthenticated, as Prometheus scrapes expect; it carries no
// credentials. No body ever carries a password or the token: the target is
// redacted and error texts pass through redact.String.
package health
