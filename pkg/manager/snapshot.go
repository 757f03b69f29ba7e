package manager

import "time"

// Snapshot is the manager's state and metrics at one moment, for code, the
// health endpoints and the TUI.
type Snapshot struct {
	Name   string `json:"name"`
	Target string `json:"target"` // credentials redacted

	State      State     `json:"state"`
	StateSince time.Time `json:"state_since"`
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
	DialAttempts         uint64 `json:"dial_attempts"`
	DialFailures         uint64 `json:"dial_failures"`

	Latency LatencySummary `json:"latency"`
	Pool    PoolStats      `json:"pool"`
	Ping    PingResult     `json:"last_ping"`

	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// EventsDropped counts transitions that slow subscribers missed.
	EventsDropped uint64 `json:"events_dropped"`
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
	state, since, until, _ := m.br.info()
	s := Snapshot{
		Name: m.opts.Name, Target: m.opts.Target(),
		State: state, StateSince: since, NextProbe: until,
		Trips: m.br.trips.Load(), Recoveries: m.br.recoveries.Load(),
		RecoveryAttempts: m.br.halfOpens.Load(), ConsecutiveFailures: m.br.consecutive.Load(),
		ByClass:              make(map[Class]uint64),
		MaxClientsRejections: m.dials.maxClients.Load(),
		Fallbacks:            m.stats.fallbacks.Load(),
		Retries:              m.stats.retries.Load(),
		RetriesDenied:        m.stats.retriesDenied.Load(),
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
	return s
}

func (m *Manager) poolStats() PoolStats {
	ps := PoolStats{Size: m.opts.PoolSize}
	st := m.client.PoolStats()
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
