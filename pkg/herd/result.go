package herd

import (
	"slices"
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

// Report is a whole herd run; its JSON shape is stable (CI parses it).
type Report struct {
	Target     string `json:"target"`
	Services   int    `json:"services"`
	Replicas   int    `json:"replicas"`
	MaxClients int    `json:"maxclients,omitempty"`
	Seed       int64  `json:"seed"`
	// Split is set on one process's partial report of a split herd.
	Split      *Split   `json:"split,omitempty"`
	Strategies []Result `json:"strategies"`
	// Simulator sums up the strategies' Simulator: saturated if any was.
	Simulator Load `json:"simulator"`
}

// Split says which share of a herd spread over processes a partial report
// holds, and when its strategies started.
type Split struct {
	ReplicaIndex int       `json:"replica_index"`
	StartAt      time.Time `json:"start_at"`
	SlotMS       int64     `json:"slot_ms"`
}

// Result is one strategy's numbers.
type Result struct {
	Name     string `json:"name"`
	Ready    int    `json:"ready"`
	Degraded int    `json:"degraded"`
	Failed   int    `json:"failed"`
	// PeakConnections is the most client connections open at once at the
	// proxy; RejectedConnections those refused with maxclients (the proxy's
	// limit, or the real server's rejected_connections growth).
	PeakConnections     int64 `json:"peak_connections"`
	RejectedConnections int64 `json:"rejected_connections"`
	// RejectionsSeenByClients counts the same rejections as the clients'
	// dialers saw them: a cross-check of RejectedConnections.
	RejectionsSeenByClients int64            `json:"rejections_seen_by_clients"`
	ConnectionAttempts      int64            `json:"connection_attempts"`
	Commands                int64            `json:"commands"`
	Retries                 int64            `json:"retries"`
	Errors                  map[string]int64 `json:"errors"`
	StartupMS               Percentiles      `json:"startup_ms"`
	// AllReadyMS is when the last service became ready or degraded; null
	// when some failed.
	AllReadyMS *int64 `json:"all_ready_ms"`
	WallMS     int64  `json:"wall_ms"`
	// Server is the real server's view, before and after (absent for the
	// embedded target).
	Server *ServerDelta `json:"server,omitempty"`
	// Simulator is what running the services cost this process (or each
	// process of a split herd): saturated means the numbers above describe
	// the machine that ran them, not the strategy.
	Simulator Load     `json:"simulator"`
	Timeline  []Sample `json:"timeline,omitempty"`
	// StartupsMS are the start-up times of this process's ready and
	// degraded services, sorted (partial reports only): merged, the
	// percentiles are over every service of the herd.
	StartupsMS []int64 `json:"startups_ms,omitempty"`
}

// Percentiles of start-up time over services that became ready or degraded.
type Percentiles struct {
	P50 int64 `json:"p50"`
	P95 int64 `json:"p95"`
	P99 int64 `json:"p99"`
	Max int64 `json:"max"`
}

// ServerDelta is INFO before and after a strategy ran.
type ServerDelta struct {
	Before serverStats `json:"before"`
	After  serverStats `json:"after"`
	// OwnRejections are rescli's own INFO connections the full server
	// refused; they are not counted in RejectedConnections.
	OwnRejections int64 `json:"own_rejections"`
	// PeakClients is the most clients the server itself counted at once
	// while the strategy ran, above its count before (sampled every 20ms):
	// the cross-check of PeakConnections, which the proxies count.
	PeakClients int64 `json:"peak_clients"`
}

// rejected is the growth of the server's rejected_connections that was
// not rescli's own INFO connections.
func (d *ServerDelta) rejected() int64 {
	return d.After.RejectedConnections - d.Before.RejectedConnections - d.OwnRejections
}

// Sample is one point of the run's timeline.
type Sample struct {
	MS          int64 `json:"ms"`
	Connections int64 `json:"connections"`
	Ready       int64 `json:"ready"`
}

// percentilesMS are the percentiles of sorted start-up times.
func percentilesMS(ms []int64) Percentiles {
	if len(ms) == 0 {
		return Percentiles{}
	}
	at := func(q float64) int64 { return ms[int(q*float64(len(ms)-1)+0.5)] }
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ms[len(ms)-1]}
}

// startupsMS lists the ready and degraded services' start-up times, sorted.
func (e *env) startupsMS() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]int64, 0, len(e.outcomes))
	for _, o := range e.outcomes {
		if o.result != "failed" {
			out = append(out, o.startup.Milliseconds())
		}
	}
	slices.Sort(out)
	return out
}

func (e *env) result(name string) Result {
	r := Result{Name: name, Errors: map[string]int64{}}
	var startups []int64
	var last time.Duration
	e.mu.Lock()
	for _, o := range e.outcomes {
		switch o.result {
		case "ready":
			r.Ready++
		case "degraded":
			r.Degraded++
		default:
			r.Failed++
			continue
		}
		startups = append(startups, o.startup.Milliseconds())
		last = max(last, o.startup)
	}
	e.mu.Unlock()
	slices.Sort(startups)
	r.StartupMS = percentilesMS(startups)
	if r.Failed == 0 {
		ms := last.Milliseconds()
		r.AllReadyMS = &ms
	}
	r.Commands = e.count.commands.Load()
	r.Retries = e.count.retries.Load()
	r.RejectionsSeenByClients = e.count.rejectedSeen.Load()
	for c := range e.count.byClass {
		if n := e.count.byClass[c].Load(); n > 0 {
			r.Errors[manager.Class(c).String()] = n
		}
	}
	return r
}
