package manager

// Operator controls: forced states that only an operator sets and ends,
// resilience4j's FORCED_OPEN and DISABLED, and a reset.

// ForceOpen holds the breaker open: every call fails fast with
// ErrForcedOpen (which wraps ErrCircuitOpen, so fallbacks run) until Reset
// or Disable. The prober does not close it; the monitor's health PING
// still goes out every HealthInterval, moving nothing, so Snapshot.Ping
// says whether Redis would answer. For a Cluster every node's breaker is
// held too (and a node found later joins), and Snapshot.State says
// FORCED_OPEN. reason is recorded in the transition, the log and
// Snapshot.StateReason. Calling it while already forced open changes
// nothing, the first reason included.
func (m *Manager) ForceOpen(reason string) { m.control(ForcedOpen, orDefault(reason, "forced open")) }

// Disable turns the breaker off, for when it misbehaves: every call goes
// to Redis and is measured (metrics, Snapshot), and the breaker never
// opens, until Reset or ForceOpen. For a Cluster every node's breaker is
// disabled too. Calling it while already disabled changes nothing.
func (m *Manager) Disable(reason string) { m.control(Disabled, orDefault(reason, "disabled")) }

// Reset moves the breaker back to CLOSED from any state and clears the
// counts the opening rules judge (consecutive failures, the rate window,
// the growth of the open wait). Totals (trips, recoveries, requests) are
// metrics and stay. A reset of a closed breaker clears the counts without
// a transition. For a Cluster every node's breaker is reset.
func (m *Manager) Reset() { m.control(Closed, "reset") }

func (m *Manager) control(to State, reason string) {
	m.br.control(to, reason)
	if m.nodes != nil {
		for _, n := range m.nodes.all() {
			n.br.control(to, reason)
		}
	}
	m.wakeMonitor()
}

// control moves the breaker to an operator's state (FORCED_OPEN, DISABLED)
// or resets it to CLOSED. It reports whether the state changed.
func (b *breaker) control(to State, reason string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if to == Closed {
		b.consecutive.Store(0)
		if b.rate != nil {
			b.rate.clear()
		}
		b.opens, b.lastErr = 0, ""
	}
	if State(b.state.Load()) == to {
		return false
	}
	b.transition(to, reason)
	return true
}

// forcedState is the operator's state the breaker is in, if any, and why.
func (b *breaker) forcedState() (State, string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := State(b.state.Load())
	return s, b.reason, s.Forced()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
