package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is a check's outcome.
type Status string

// Outcomes, in increasing severity (skipped aside).
const (
	Pass    Status = "pass"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Error   Status = "error" // the check could not run
	Skipped Status = "skipped"
)

// Result is one check's outcome.
type Result struct {
	Name     string        `json:"name"`
	Target   string        `json:"target"` // the Redis target or the service URL
	Status   Status        `json:"status"`
	Value    string        `json:"value"`
	Duration time.Duration `json:"-"`
	Millis   float64       `json:"duration_ms"`
	Hint     string        `json:"hint,omitempty"`
}

// Check is one named verification.
type Check struct {
	Name        string
	Description string
	// Server checks run once against the Redis target; service checks once
	// per --service.
	PerService bool
	run        func(ctx context.Context, e *env, service string) Result
}

// checks is the registry, in the order they run and print. headroom runs
// after the checks that make connections, so rejections caused during the
// run (by anyone) show up.
var checks []Check

func init() {
	checks = []Check{
		{Name: "connectivity", Description: "connect, authenticate (and TLS for rediss://) and PING the target", run: checkConnectivity},
		{Name: "latency", Description: "p50/p99 over N PINGs against thresholds", run: checkLatency},
		{Name: "memory", Description: "used_memory vs maxmemory and a maxmemory-policy sane for a cache or a store", run: checkMemory},
		{Name: "persistence", Description: "last RDB save and AOF write succeeded; persistence on for a store", run: checkPersistence},
		{Name: "replication", Description: "role, replica links up, replication lag", run: checkReplication},
		{Name: "sentinel", Description: "Sentinel targets: a quorum of Sentinels answers and agrees on the master, replicas linked", run: checkSentinel},
		{Name: "cluster", Description: "Cluster targets: cluster_state:ok, all 16384 slots served, no node failing, every master with a replica", run: checkCluster},
		{Name: "resilience-breaker", Description: "through an in-process fault proxy (client side only): a blackhole opens the breaker in time and calls fail fast; removing it closes the breaker in time", run: checkBreaker},
		{Name: "resilience-herd", Description: "a managed herd of --herd-services through the proxy has zero maxclients rejections", run: checkHerd},
		{Name: "headroom", Description: "connected_clients vs maxclients, and rejected_connections growing during the run", run: checkHeadroom},
		{Name: "service-health", PerService: true, Description: "GET /health answers in under a second", run: checkServiceHealth},
		{Name: "service-auth", PerService: true, Description: "admin endpoints refuse a missing (401) and a wrong (403) token", run: checkServiceAuth},
		{Name: "service-redis", PerService: true, Description: "/health/redis agrees with what verify sees of the target", run: checkServiceRedis},
	}
}

// Checks lists every check in run order.
func Checks() []Check { return slices.Clone(checks) }

// select returns the checks to run given --checks and --skip.
func selectChecks(only, skip []string) ([]Check, error) {
	known := map[string]bool{}
	for _, c := range checks {
		known[c.Name] = true
	}
	for _, n := range append(slices.Clone(only), skip...) {
		if !known[n] {
			return nil, fmt.Errorf("unknown check %q (see --list-checks)", n)
		}
	}
	var out []Check
	for _, c := range checks {
		if (len(only) == 0 || slices.Contains(only, c.Name)) && !slices.Contains(skip, c.Name) {
			out = append(out, c)
		}
	}
	return out, nil
}

// outcome helpers keep check bodies short.
func pass(value string) Result { return Result{Status: Pass, Value: value} }
func warn(value, hint string) Result {
	return Result{Status: Warn, Value: value, Hint: hint}
}
func fail(value, hint string) Result {
	return Result{Status: Fail, Value: value, Hint: hint}
}
func errored(err error) Result { return Result{Status: Error, Value: oneLine(err.Error())} }
func skipped(why string) Result {
	return Result{Status: Skipped, Value: why}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
