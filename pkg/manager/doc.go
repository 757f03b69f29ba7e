// Package manager is the resilient Redis manager a service imports: one shared
// go-redis client and pool per process, a Redis-aware circuit breaker with
// exponentially growing, jittered open waits and an active prober that drives
// recovery with no application traffic, budgeted full-jitter retries that never
// multiply an outage, graceful degradation through fallbacks, and metrics
// (a snapshot, a transition event stream and a Prometheus collector).
//
// The target is one server, a master found through Sentinels, or a Cluster,
// named by one URL (see ParseTarget): redis://host:6379,
// redis+sentinel://[:sentinelpass@]s1:26379,s2:26379/mymaster[?password=p],
// redis+cluster://[user:pass@]n1:7000,n2:7001. For Sentinel the breaker
// ends its open wait as soon as the Sentinels name a new master. For a
// Cluster every node has its own breaker (go-redis's OnNewNode), so one dead
// shard fails fast alone while the others keep serving; Snapshot.Nodes says
// which node and slots are down, and State summarises. The slot map is
// reloaded every ClusterReloadInterval (1s; go-redis's default of 60s kept
// a failed-over shard's slots failing for a minute) and whenever a node's
// breaker opens.
//
// The breaker, the retry budget and the outcome classification are written
// here rather than taken from failsafe-go v0.9.8 because that version has no
// public clock to inject, cannot combine a consecutive-failure rule with a
// failure-rate rule, takes a mutex on every permit (visible in a parallel GET
// benchmark), and counts its retry budget as a share of in-flight executions,
// not of requests. What is Redis-specific (which replies are outages, the
// maxclients rejection, go-redis's hidden retries) has no library at all.
package manager
