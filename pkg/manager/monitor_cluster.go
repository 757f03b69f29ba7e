package manager

import (
	"context"
	"time"
)

// monitorCluster is the monitor of a Cluster target. Every HealthInterval
// it PINGs through the cluster client and reads the slot map; each node's
// breaker moves from OPEN to HALF_OPEN when its own wait is over and is
// probed with PINGs sent to that node alone. While any breaker is not
// closed it reads the slot map every ProbeInterval, so a promoted replica
// shows up in Snapshot.Nodes quickly.
func (m *Manager) monitorCluster() {
	defer m.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	m.clusterHealth()
	nextHealth := time.Now().Add(m.opts.HealthInterval)
	for {
		if time.Until(nextHealth) <= 0 {
			m.clusterHealth()
			nextHealth = time.Now().Add(m.opts.HealthInterval)
		} else if m.nodes.stale(m.opts.ProbeInterval) {
			m.readTopology()
		}
		wait := time.Until(nextHealth)
		for _, n := range m.nodes.list() {
			switch n.br.State() { // State moves OPEN to HALF_OPEN when due
			case Open: // wake at its probe time, and meanwhile to re-read the slot map
				wait = min(wait, n.br.info().until.Sub(m.opts.Clock.Now()), m.opts.ProbeInterval)
			case HalfOpen:
				m.probeNode(n)
				wait = min(wait, m.opts.ProbeInterval)
			}
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-timer.C:
		case <-m.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-m.done:
			return
		}
	}
}

func (m *Manager) clusterHealth() {
	m.healthCheck()
	m.readTopology()
}

func (m *Manager) readTopology() {
	ctx, cancel := context.WithTimeout(m.ctx, m.opts.ProbeTimeout)
	defer cancel()
	if m.br.State() == ForcedOpen { // the nodes' breakers are held: pass as a probe
		ctx = context.WithValue(ctx, probeKey{}, true)
	}
	if err := m.nodes.readTopology(ctx); err != nil {
		m.noteError(err)
	}
}

// probeNode sends up to SuccessThreshold PINGs to one half-open node.
func (m *Manager) probeNode(n *node) {
	for range m.opts.Breaker.SuccessThreshold {
		if n.br.State() != HalfOpen {
			return
		}
		ctx, cancel := context.WithTimeout(m.ctx, m.opts.ProbeTimeout)
		err := n.client.Ping(context.WithValue(ctx, probeKey{}, true)).Err()
		cancel()
		if err != nil {
			return
		}
	}
}

// stale reports whether the topology should be read again: a node was
// added, or some breaker is open or half-open and the last read is older
// than d.
func (s *nodeSet) stale(d time.Duration) bool {
	s.mu.Lock()
	refresh, at := s.refresh, s.topoAt
	s.mu.Unlock()
	if refresh {
		return true
	}
	if s.m.opts.Clock.Now().Sub(at) < d {
		return false
	}
	for _, n := range s.list() {
		if st := State(n.br.state.Load()); st == Open || st == HalfOpen {
			return true
		}
	}
	return false
}
