package manager

import (
	"context"
	"time"
)

// PingResult is the last health check's outcome.
type PingResult struct {
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency_ns"`
	Err     string        `json:"error,omitempty"`
}

// monitor is the manager's one background goroutine. It PINGs every
// HealthInterval while closed, moves OPEN to HALF_OPEN the moment the wait is
// over and probes through the pool until the breaker closes or reopens, so
// State is true with no application traffic.
func (m *Manager) monitor() {
	defer m.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	m.healthCheck()
	nextHealth := time.Now().Add(m.opts.HealthInterval)
	for {
		var wait time.Duration
		switch m.br.State() { // State moves OPEN to HALF_OPEN when due
		case Open:
			in := m.br.info()
			wait = max(in.until.Sub(m.opts.Clock.Now()), time.Millisecond)
			if m.asker != nil {
				moved, next := m.masterMoved(in.since)
				if moved {
					continue
				}
				wait = min(wait, max(next, time.Millisecond))
			}
		case HalfOpen:
			if m.probeRound() {
				continue
			}
			wait = m.opts.ProbeInterval
		default: // CLOSED, and an operator's FORCED_OPEN and DISABLED
			if wait = time.Until(nextHealth); wait <= 0 {
				m.healthCheck()
				nextHealth = time.Now().Add(m.opts.HealthInterval)
				continue
			}
		}
		timer.Reset(wait)
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

// probeRound sends up to SuccessThreshold PINGs while half-open; it reports
// whether the state changed.
func (m *Manager) probeRound() bool {
	for range m.opts.Breaker.SuccessThreshold {
		if m.br.State() != HalfOpen {
			return true
		}
		if m.ping(true) != nil && m.br.State() == HalfOpen {
			return false
		}
		select {
		case <-m.done:
			return false
		default:
		}
	}
	return m.br.State() != HalfOpen
}

// healthCheck PINGs as an application call would, so that while closed a
// failing PING counts toward opening. While forced open it goes as a probe,
// which passes and moves nothing: Snapshot.Ping still says whether Redis
// would answer when the operator resets.
func (m *Manager) healthCheck() { _ = m.ping(m.br.State() == ForcedOpen) }

// ping sends one PING through the managed pool and remembers the result.
func (m *Manager) ping(probe bool) error {
	ctx, cancel := context.WithTimeout(m.ctx, m.opts.ProbeTimeout)
	defer cancel()
	if probe {
		ctx = context.WithValue(ctx, probeKey{}, true)
	}
	start := time.Now()
	err := m.client.Ping(ctx).Err()
	res := PingResult{At: m.opts.Clock.Now(), Latency: time.Since(start), Err: errString(err)}
	m.mu.Lock()
	m.lastPing = res
	m.mu.Unlock()
	return err
}
