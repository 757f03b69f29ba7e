package manager

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/target"
)

// Snapshot is the manager's state and metrics at one moment, for code, the
// health endpoints and the TUI.
type Snapshot struct {
	Name   string      `json:"name"`
	Target string      `json:"target"` // credentials redacted
	Kind   target.Kind `json:"kind"`   // standalone, sentinel or cluster
	// Master is the address a Sentinel target's connections went to last.
	Master string `json:"master,omitempty"`

	// State is the breaker's state. For a Cluster it summarises the
	// masters' breakers (see Nodes): CLOSED when all are closed, OPEN when
	// all are open, HALF_OPEN while some shards fail and others work, and
	// FORCED_OPEN or DISABLED while an operator holds every node so.
	State      State     `json:"state"`
	StateSince time.Time `json:"state_since"`
	// StateReason says why the breaker entered State: the rule that opened
	// it, the probes that closed it, or the operator's reason.
	StateReason string `json:"state_reason,omitempty"`
	// NextProbe is when an open breaker will probe (zero unless OPEN).
	NextProbe           time.Time `json:"next_probe,omitzero"`
	Trips               uint64    `json:"trips"`
	Recoveries          uint64    `json:"recoveries"`
	RecoveryAttempts    uint64    `json:"recovery_attempts"` // entries into HALF_OPEN
	ConsecutiveFailures int64     `json:"consecutive_failures"`

	// Requests counts command attempts that reached the network or failed
	// before it, by outcome class; Rejected counts fail-fast calls.
	Requests  uint64           `json:"requests"`
	Successes uint64           `json:"successes"` // includes misses and command errors
	Failures  uint64           `json:"failures"`
	Rejected  uint64           `json:"rejected"`
	ByClass   map[Class]uint64 `json:"by_class"`

	MaxClientsRejections uint64 `json:"maxclients_rejections"`
	Fallbacks            uint64 `json:"fallbacks"`
	Retries              uint64 `json:"retries"`
	RetriesDenied        uint64 `json:"retries_denied"` // budget exhausted
	// SlowCalls counts attempts slower than Breaker.SlowCallDuration (0
	// while slow calls are off).
	SlowCalls    uint64 `json:"slow_calls"`
	DialAttempts uint64 `json:"dial_attempts"`
	DialFailures uint64 `json:"dial_failures"`
	// RetryTokens are the retries the budget would allow right now.
	RetryTokens float64 `json:"retry_tokens"`

	Latency LatencySummary `json:"latency"`
	Pool    PoolStats      `json:"pool"`
	Ping    PingResult     `json:"last_ping"`

	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// EventsDropped counts transitions that slow subscribers missed.
	EventsDropped uint64 `json:"events_dropped"`

	// Nodes are a Cluster's nodes with their own breakers, sorted by
	// address; it says which shard is down.
	Nodes []NodeSnapshot `json:"nodes,omitempty"`
}

// PoolStats are go-redis's pool counters.
type PoolStats struct {
	Size     int    `json:"size"`
	Total    uint32 `json:"total"`
	Idle     uint32 `json:"idle"`
	InUse    uint32 `json:"in_use"`
	Hits     uint32 `json:"hits"`
	Misses   uint32 `json:"misses"`
	Timeouts uint32 `json:"timeouts"`
	Stale    uint32 `json:"stale"`
}

// Snapshot reads the current state and metrics.
func (m *Manager) Snapshot() Snapshot {
	in := m.br.info()
	s := Snapshot{
		Name: m.opts.Name, Target: m.opts.Label(), Kind: m.opts.Kind,
		State: in.state, StateSince: in.since, NextProbe: in.until, StateReason: in.reason,
		Trips: m.br.trips.Load(), Recoveries: m.br.recoveries.Load(),
		RecoveryAttempts: m.br.halfOpens.Load(), ConsecutiveFailures: m.br.consecutive.Load(),
		ByClass:              make(map[Class]uint64),
		MaxClientsRejections: m.dials.maxClients.Load(),
		Fallbacks:            m.stats.fallbacks.Load(),
		Retries:              m.stats.retries.Load(),
		RetriesDenied:        m.stats.retriesDenied.Load(),
		SlowCalls:            m.stats.slowCalls.Load(),
		RetryTokens:          float64(m.budget.milli.Load()) / 1000,
		DialAttempts:         m.dials.attempts.Load(),
		DialFailures:         m.dials.failures.Load(),
		Latency:              m.stats.latency.summary(),
		Pool:                 m.poolStats(),
		EventsDropped:        m.hub.totalDropped(),
	}
	for c := Class(0); c < numClasses; c++ {
		n := m.stats.byClass[c].Load()
		if n == 0 {
			continue
		}
		s.ByClass[c] = n
		switch {
		case c == Rejected:
			s.Rejected = n
		case c.IsFailure():
			s.Failures += n
			s.Requests += n
		case c != Canceled:
			s.Successes += n
			s.Requests += n
		default:
			s.Requests += n
		}
	}
	m.mu.Lock()
	s.Ping, s.LastError, s.LastErrorAt = m.lastPing, m.lastErr.msg, m.lastErr.at
	m.mu.Unlock()
	if a := m.dials.lastAddr.Load(); a != nil && s.Kind == target.Sentinel {
		s.Master = *a
	}
	if m.nodes != nil {
		m.clusterSnapshot(&s)
	}
	return s
}

// clusterSnapshot fills the per-node section and sums the node breakers
// into the top-level breaker fields.
func (m *Manager) clusterSnapshot(s *Snapshot) {
	s.Nodes = m.nodes.snapshot()
	s.State = m.nodes.state()
	s.NextProbe = time.Time{}
	for _, n := range s.Nodes {
		s.Trips += n.Trips
		s.Recoveries += n.Recoveries
		s.ConsecutiveFailures = max(s.ConsecutiveFailures, n.ConsecutiveFailures)
		if !n.NextProbe.IsZero() && (s.NextProbe.IsZero() || n.NextProbe.Before(s.NextProbe)) {
			s.NextProbe = n.NextProbe
		}
	}
}

func (m *Manager) poolStats() PoolStats { return poolStats(m.client, m.opts.PoolSize) }

// poolStats reads a client's pool (a Cluster client's sums its nodes').
func poolStats(c interface{ PoolStats() *redis.PoolStats }, size int) PoolStats {
	ps := PoolStats{Size: size}
	st := c.PoolStats()
	if st == nil {
		return ps
	}
	ps.Total, ps.Idle, ps.Hits, ps.Misses, ps.Timeouts, ps.Stale =
		st.TotalConns, st.IdleConns, st.Hits, st.Misses, st.Timeouts, st.StaleConns
	if st.TotalConns > st.IdleConns {
		ps.InUse = st.TotalConns - st.IdleConns
	}
	return ps
}

// breakerInfo is a breaker's state read at one moment.
type breakerInfo struct {
	state  State
	since  time.Time
	until  time.Time // end of the open wait (zero unless OPEN)
	reason string    // why it entered state
	err    string    // the last failure
}

// info reads the state, moving a finished open wait to HALF_OPEN first.
func (b *breaker) info() breakerInfo {
	b.State()
	b.mu.Lock()
	defer b.mu.Unlock()
	s := State(b.state.Load()) // read with since and reason: transitions hold mu
	in := breakerInfo{state: s, since: b.since, reason: b.reason, err: b.lastErr}
	if s == Open {
		in.until = time.Unix(0, b.openUntil.Load())
	}
	return in
}
