package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/target"
	"github.com/rescli/rescli/pkg/tui"
)

// watchServerEvent is what a Redis target's nodes said, as NDJSON
// ("type":"server"). Counters and rates are since Since, when watch
// first read the node; a gauge the server did not report is null.
type watchServerEvent struct {
	Type    string    `json:"type"`
	Time    time.Time `json:"time"`
	Target  string    `json:"target"`
	Kind    string    `json:"kind"`
	Since   time.Time `json:"since"`
	EveryMS int64     `json:"every_ms"`
	// Sentinel: the master now, and when it last changed while watching
	// (absent when it did not) and from which node.
	Master         string    `json:"master,omitempty"`
	PreviousMaster string    `json:"previous_master,omitempty"`
	MasterSince    time.Time `json:"master_since,omitzero"`
	Via            string    `json:"via,omitempty"`
	// Error says the target could not be resolved; Nodes are the last known.
	Error string            `json:"error,omitempty"`
	Nodes []watchServerNode `json:"nodes"`
}

type watchServerNode struct {
	Addr  string `json:"addr"`
	Role  string `json:"role"`
	Error string `json:"error,omitempty"`

	ConnectedClients *int64 `json:"connected_clients" jsonschema:"nullable"`
	BlockedClients   *int64 `json:"blocked_clients" jsonschema:"nullable"`
	// RejectedConnections is refused connections (maxclients) since
	// Since; RejectedPerS that per second.
	RejectedConnections *int64   `json:"rejected_connections" jsonschema:"nullable"`
	RejectedPerS        *float64 `json:"rejected_per_s" jsonschema:"nullable"`
	OpsPerS             *int64   `json:"ops_per_s" jsonschema:"nullable"`
	HitRatioPct         *float64 `json:"hit_ratio_pct" jsonschema:"nullable"`
	UsedMemory          *int64   `json:"used_memory_bytes" jsonschema:"nullable"`
	MaxMemory           *int64   `json:"maxmemory_bytes" jsonschema:"nullable"`
	EvictedKeys         *int64   `json:"evicted_keys" jsonschema:"nullable"`
	Replicas            *int64   `json:"connected_replicas" jsonschema:"nullable"`
	// LagBytes: a replica's bytes behind its master; a master's largest.
	LagBytes     *int64              `json:"replication_lag_bytes" jsonschema:"nullable"`
	LinkDown     bool                `json:"master_link_down,omitempty"`
	Latency      []watchLatencyEvent `json:"latency"`
	LatencyError string              `json:"latency_error,omitempty"`
	Slowlog      []watchSlowEntry    `json:"slowlog"`
	SlowlogError string              `json:"slowlog_error,omitempty"`
}

type watchLatencyEvent struct {
	Event    string    `json:"event"`
	Time     time.Time `json:"time"`
	LatestMS float64   `json:"latest_ms"`
	MaxMS    float64   `json:"max_ms"`
}

type watchSlowEntry struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	DurationMS float64   `json:"duration_ms"`
	Command    string    `json:"command"`
}

func newWatchServerEvent(m tui.ServerMsg) watchServerEvent {
	ev := watchServerEvent{Type: "server", Time: m.At, Target: m.Target, Kind: m.Kind.String(), Since: m.Started,
		EveryMS: m.Every.Milliseconds(), Error: m.Err, Nodes: []watchServerNode{}}
	if m.Kind == target.Sentinel {
		ev.Master, ev.PreviousMaster, ev.MasterSince, ev.Via = m.Master, m.PrevMaster, m.MasterSince, m.Via
	}
	for _, n := range m.Nodes {
		out := watchServerNode{Addr: n.Addr, Role: n.Role, Error: n.Err, Latency: []watchLatencyEvent{}, Slowlog: []watchSlowEntry{}}
		if n.Err == "" {
			out.ConnectedClients, out.BlockedClients, out.OpsPerS = gaugeOf(n.Clients), gaugeOf(n.Blocked), gaugeOf(n.OpsPerSec)
			out.RejectedConnections, out.EvictedKeys = gaugeOf(n.Rejected), gaugeOf(n.Evicted)
			if n.Rejected != redisstat.Unknown {
				out.RejectedPerS = &n.RejectedRate
			}
			out.UsedMemory, out.MaxMemory, out.Replicas, out.LagBytes = gaugeOf(n.UsedMemory), gaugeOf(n.MaxMemory), gaugeOf(n.Replicas), gaugeOf(n.Lag)
			out.LinkDown = n.LinkDown
			if n.HitRatio >= 0 {
				out.HitRatioPct = &n.HitRatio
			}
		}
		for _, e := range n.Latency {
			out.Latency = append(out.Latency, watchLatencyEvent{Event: e.Event, Time: e.At, LatestMS: watchMillis(e.Latest), MaxMS: watchMillis(e.Max)})
		}
		for _, e := range n.Slowlog {
			out.Slowlog = append(out.Slowlog, watchSlowEntry{ID: e.ID, Time: e.At, DurationMS: watchMillis(e.Duration), Command: e.Command})
		}
		out.LatencyError, out.SlowlogError = n.LatencyErr, n.SlowlogErr
		ev.Nodes = append(ev.Nodes, out)
	}
	return ev
}

func gaugeOf(n int64) *int64 {
	if n == redisstat.Unknown {
		return nil
	}
	return &n
}

// lines are the plain lines: for Sentinel one naming the master, then one
// per node of key=value pairs that grep and awk read.
func (ev watchServerEvent) lines() []string {
	head := watchTS(ev.Time) + " " + ev.Target
	var out []string
	if ev.Kind == "sentinel" {
		s := fmt.Sprintf("%s sentinel master=%s", head, ev.Master)
		if !ev.MasterSince.IsZero() {
			s += fmt.Sprintf(" changed=%s previous=%s", watchTS(ev.MasterSince), ev.PreviousMaster)
		}
		out = append(out, s+" via="+ev.Via)
	}
	if ev.Error != "" {
		out = append(out, fmt.Sprintf("%s server error=%q", head, watchOneLine(ev.Error)))
	}
	for _, n := range ev.Nodes {
		var b strings.Builder
		fmt.Fprintf(&b, "%s server %s role=%s", head, n.Addr, n.Role)
		if n.Error != "" {
			fmt.Fprintf(&b, " error=%q", watchOneLine(n.Error))
			out = append(out, b.String())
			continue
		}
		rate := "-"
		if n.RejectedPerS != nil {
			rate = fmt.Sprintf("%.1f", *n.RejectedPerS)
		}
		fmt.Fprintf(&b, " clients=%s blocked=%s rejected=%s rejected_rate=%s/s ops=%s/s hit=%s",
			watchGauge(n.ConnectedClients), watchGauge(n.BlockedClients), watchGauge(n.RejectedConnections), rate,
			watchGauge(n.OpsPerS), watchRatio(n.HitRatioPct))
		fmt.Fprintf(&b, " used_memory=%s maxmemory=%s evicted=%s replicas=%s lag=%s",
			watchGauge(n.UsedMemory), watchGauge(n.MaxMemory), watchGauge(n.EvictedKeys), watchGauge(n.Replicas), watchGauge(n.LagBytes))
		if n.LinkDown {
			b.WriteString(" link=down")
		}
		fmt.Fprintf(&b, " spikes=%q slowlog=%q", watchSpikes(n), watchSlowlog(n))
		out = append(out, b.String())
	}
	return out
}

func watchGauge(n *int64) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprint(*n)
}

func watchRatio(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *p)
}

func watchSpikes(n watchServerNode) string {
	if n.LatencyError != "" {
		return n.LatencyError
	}
	parts := make([]string, len(n.Latency))
	for i, e := range n.Latency {
		parts[i] = fmt.Sprintf("%s %gms@%s", e.Event, e.LatestMS, e.Time.Format("15:04:05"))
	}
	return strings.Join(parts, ", ")
}

func watchSlowlog(n watchServerNode) string {
	if n.SlowlogError != "" {
		return n.SlowlogError
	}
	parts := make([]string, len(n.Slowlog))
	for i, e := range n.Slowlog {
		parts[i] = fmt.Sprintf("%s %gms", e.Command, e.DurationMS)
	}
	return strings.Join(parts, ", ")
}
