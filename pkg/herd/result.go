package herd

import (
	"slices"
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

// Report is a whole herd run; its JSON shape is stable (CI parses it).
type Report struct {
	Target     string   `json:"target"`
	Services   int      `json:"services"`
	Replicas   int      `json:"replicas"`
	MaxClients int      `json:"maxclients,omitempty"`
	Seed       int64    `json:"seed"`
	Strategies []Result `json:"strategies"`
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
	Server   *ServerDelta `json:"server,omitempty"`
	Timeline []Sample     `json:"timeline,omitempty"`
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
}

// Sample is one point of the run's timeline.
type Sample struct {
	MS          int64 `json:"ms"`
	Connections int64 `json:"connections"`
	Ready       int64 `json:"ready"`
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) int64 {
		i := int(q*float64(len(ds)-1) + 0.5)
		return ds[i].Milliseconds()
	}
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ds[len(ds)-1].Milliseconds()}
}

func (e *env) result(name string) Result {
	r := Result{Name: name, Errors: map[string]int64{}}
	var startups []time.Duration
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
		startups = append(startups, o.startup)
		last = max(last, o.startup)
	}
	e.mu.Unlock()
	r.StartupMS = percentiles(startups)
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
