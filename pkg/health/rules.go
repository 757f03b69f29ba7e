package health

import (
	"fmt"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/manager"
)

// Thresholds tune the warn rules. The zero value of a field means its
// default.
type Thresholds struct {
	// ResponseTime above which the monitor's PING warns (default 100ms).
	ResponseTime time.Duration
	// Clients is the share of maxclients at which connected_clients warns
	// (default 0.8).
	Clients float64
	// Memory is the share of maxmemory at which used_memory warns
	// (default 0.9).
	Memory float64
}

func (t *Thresholds) defaults() {
	if t.ResponseTime <= 0 {
		t.ResponseTime = 100 * time.Millisecond
	}
	if t.Clients <= 0 {
		t.Clients = 0.8
	}
	if t.Memory <= 0 {
		t.Memory = 0.9
	}
}

// redisInput is what the Redis rules judge.
type redisInput struct {
	snap     manager.Snapshot
	facts    ServerFacts
	interval time.Duration // the manager's health interval
	now      time.Time
}

// redisChecks applies the package doc's Redis rules.
func redisChecks(in redisInput, th Thresholds) map[string][]Check {
	s := in.snap
	c := func(name string, value any, unit string, st Status, at time.Time, output string) (string, []Check) {
		ch := Check{ComponentID: s.Name, ComponentType: "datastore", ObservedValue: value,
			ObservedUnit: unit, Status: st, Time: at}
		if st != Pass {
			ch.Output = redact.String(output)
		}
		return "redis:" + name, []Check{ch}
	}
	out := map[string][]Check{}
	add := func(k string, v []Check) { out[k] = v }

	add(c("circuitBreaker", s.State.String(), "", breakerStatus(s.State), in.now, breakerOutput(s)))
	add(c("responseTime", millis(s.Ping.Latency), "ms", pingStatus(in, th), s.Ping.At, pingOutput(in, th)))

	poolSt, poolOut := Pass, ""
	if s.Pool.Size > 0 && int(s.Pool.InUse) >= s.Pool.Size {
		poolSt, poolOut = Warn, fmt.Sprintf("all %d pool connections in use", s.Pool.Size)
	}
	add(c("pool", s.Pool.InUse, "connections", poolSt, in.now, poolOut))

	f := in.facts
	if f.At.IsZero() {
		msg := "no INFO read yet"
		if f.Error != "" {
			msg = f.Error
		}
		add(c("connections", nil, "", Warn, in.now, msg))
		return out
	}
	connSt, connOut := Pass, ""
	switch {
	case f.Error != "":
		connSt, connOut = Warn, f.Error+" (values from "+f.At.UTC().Format(time.RFC3339)+")"
	case f.MaxClients > 0 && float64(f.ConnectedClients) >= th.Clients*float64(f.MaxClients):
		connSt, connOut = Warn, fmt.Sprintf("%d of maxclients %d connected", f.ConnectedClients, f.MaxClients)
	}
	add(c("connections", f.ConnectedClients, "connections", connSt, f.At, connOut))

	rejSt, rejOut := Pass, ""
	if f.RejectedSincePoll > 0 {
		rejSt, rejOut = Warn, fmt.Sprintf("%d connections rejected since the previous check (maxclients reached)", f.RejectedSincePoll)
	}
	add(c("rejectedConnections", f.RejectedConnections, "connections", rejSt, f.At, rejOut))

	memSt, memOut := Pass, ""
	if f.MaxMemory > 0 && float64(f.UsedMemory) >= th.Memory*float64(f.MaxMemory) {
		memSt, memOut = Warn, fmt.Sprintf("used_memory %d of maxmemory %d bytes", f.UsedMemory, f.MaxMemory)
	}
	add(c("memory", f.UsedMemory, "bytes", memSt, f.At, memOut))

	replSt, replOut := Pass, ""
	if f.Role == "slave" && f.MasterLinkStatus != "up" {
		replSt, replOut = Warn, "replica's master link is "+f.MasterLinkStatus
	}
	add(c("replication", f.Role, "", replSt, f.At, replOut))
	return out
}

// breakerStatus: a forced-open breaker is as unavailable as an open one
// (resilience4j's view too); a disabled one lets every call through but no
// longer protects anything, which an operator should see.
func breakerStatus(st manager.State) Status {
	switch st {
	case manager.Closed:
		return Pass
	case manager.HalfOpen, manager.Disabled:
		return Warn
	default:
		return Fail
	}
}

func breakerOutput(s manager.Snapshot) string {
	since := " since " + s.StateSince.UTC().Format(time.RFC3339)
	switch s.State {
	case manager.HalfOpen:
		return "half-open: probing recovery"
	case manager.ForcedOpen:
		return "forced open by an operator" + since + ": " + s.StateReason
	case manager.Disabled:
		return "disabled by an operator" + since + " (every call goes to Redis, the breaker never opens): " + s.StateReason
	case manager.Open:
		msg := "open" + since
		if !s.NextProbe.IsZero() {
			msg += ", next probe " + s.NextProbe.UTC().Format(time.RFC3339)
		}
		if s.LastError != "" {
			msg += ": " + s.LastError
		}
		return msg
	}
	return ""
}

func pingStatus(in redisInput, th Thresholds) Status {
	p := in.snap.Ping
	switch {
	case p.At.IsZero():
		return Warn
	case p.Err != "":
		return Fail
	case p.Latency > th.ResponseTime:
		return Warn
	case pingsEveryInterval(in.snap.State) && in.interval > 0 && in.now.Sub(p.At) > 2*in.interval+th.ResponseTime:
		return Warn
	}
	return Pass
}

// pingsEveryInterval reports whether the monitor PINGs every health
// interval in state st (it probes on its own schedule while open or
// half-open).
func pingsEveryInterval(st manager.State) bool {
	return st == manager.Closed || st.Forced()
}

func pingOutput(in redisInput, th Thresholds) string {
	p := in.snap.Ping
	switch {
	case p.At.IsZero():
		return "no PING has run yet"
	case p.Err != "":
		return "PING failed: " + p.Err
	case p.Latency > th.ResponseTime:
		return fmt.Sprintf("PING took %v, over %v", p.Latency.Round(time.Microsecond), th.ResponseTime)
	}
	return "last PING at " + p.At.UTC().Format(time.RFC3339) + " is stale"
}

// breakerWord is the seed's spelling: closed, open, half_open,
// forced_open, disabled.
func breakerWord(st manager.State) string { return strings.ToLower(st.String()) }

// redisInfo is the typed view of the manager snapshot and server facts.
func redisInfo(s manager.Snapshot, f ServerFacts, now time.Time) *RedisInfo {
	ri := &RedisInfo{
		Name: s.Name, Target: redact.String(s.Target), Kind: s.Kind, Master: s.Master,
		State: s.State.String(), StateSince: s.StateSince, StateReason: redact.String(s.StateReason),
		NextProbe: s.NextProbe, SlowCalls: s.SlowCalls,
		InStateSeconds: now.Sub(s.StateSince).Round(time.Millisecond).Seconds(),
		Trips:          s.Trips, Recoveries: s.Recoveries,
		Requests: s.Requests, Failures: s.Failures, Rejected: s.Rejected, Fallbacks: s.Fallbacks,
		PingAt: s.Ping.At, PingMS: millis(s.Ping.Latency), PingError: redact.String(s.Ping.Err),
		LatencyP50: millis(s.Latency.P50), LatencyP90: millis(s.Latency.P90), LatencyP99: millis(s.Latency.P99),
		LastError: redact.String(s.LastError), LastErrorAt: s.LastErrorAt,
		Pool: s.Pool,
	}
	if !f.At.IsZero() || f.Error != "" {
		ri.Server = &f
	}
	return ri
}
