// Package redisstat samples what Redis says about itself, on every data
// node of a target: INFO (clients, rejected connections, ops/s, hits and
// misses, memory and evictions, role and replication offsets), LATENCY
// LATEST and SLOWLOG GET. It is the server's side of `rescli watch`,
// beside the breaker that the client's own probe sees.
//
// It samples gently: one INFO per node per Options.Every (at least a
// second), the latency and slow-log reads less often, over one kept-open
// connection per node (pool of one, no hidden retries). A command the user
// may not run (NOPERM) or the server does not know is reported once as
// "n/a (NOPERM)" and never asked again. It re-resolves the target on a
// cadence — or at once when a hint says the master moved — so that a
// Sentinel target names the master now and when it last changed, and a
// Cluster target has one row per node.
package redisstat
