package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
)

// watchSnapshot maps a service's /health/redis view onto the manager's
// snapshot, which the dashboard shows.
func watchSnapshot(r *health.RedisInfo) manager.Snapshot {
	state, _ := watchParseState(r.State)
	msd := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return manager.Snapshot{
		Name: r.Name, Target: r.Target, Kind: r.Kind, Master: r.Master, State: state,
		StateSince: r.StateSince, StateReason: r.StateReason, NextProbe: r.NextProbe, SlowCalls: r.SlowCalls,
		Trips: r.Trips, Recoveries: r.Recoveries,
		Requests: r.Requests, Failures: r.Failures, Rejected: r.Rejected, Fallbacks: r.Fallbacks,
		Latency:   manager.LatencySummary{P50: msd(r.LatencyP50), P90: msd(r.LatencyP90), P99: msd(r.LatencyP99)},
		Pool:      r.Pool,
		Ping:      manager.PingResult{At: r.PingAt, Latency: msd(r.PingMS), Err: r.PingError},
		LastError: r.LastError, LastErrorAt: r.LastErrorAt,
	}
}

// watchParseState reads a breaker state word; ok is false for one it does
// not know, which is shown as UNKNOWN rather than guessed.
func watchParseState(s string) (manager.State, bool) {
	switch strings.ToUpper(s) {
	case "CLOSED":
		return manager.Closed, true
	case "OPEN":
		return manager.Open, true
	case "HALF_OPEN", "HALF-OPEN", "HALFOPEN":
		return manager.HalfOpen, true
	case "FORCED_OPEN", "FORCED-OPEN":
		return manager.ForcedOpen, true
	case "DISABLED":
		return manager.Disabled, true
	}
	return manager.Closed, false
}

// watchServicesDetail counts a /health/services document's checks by
// status: "services: 3 pass, 1 warn".
func watchServicesDetail(d health.Document) string {
	n := map[health.Status]int{}
	for key, checks := range d.Checks {
		if !strings.HasPrefix(key, "service:") {
			continue
		}
		for _, c := range checks {
			n[c.Status]++
		}
	}
	var parts []string
	for _, st := range []health.Status{health.Pass, health.Warn, health.Fail} {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	if len(parts) == 0 {
		return "services: " + string(d.Status)
	}
	return "services: " + strings.Join(parts, ", ")
}
