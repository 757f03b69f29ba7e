package chaos

import "sync/atomic"

// counters are the proxy's live numbers: plain atomics, cheap enough to
// bump on every connection and chunk.
type counters struct {
	accepted   atomic.Int64
	current    atomic.Int64
	peak       atomic.Int64
	rejected   atomic.Int64
	dialErrors atomic.Int64
	bytesUp    atomic.Int64
	bytesDown  atomic.Int64
	panics     atomic.Int64
	late       lateness // latency faults' holds (lateness.go)
}

// open counts a new client connection and raises the peak if needed.
func (c *counters) open() {
	n := c.current.Add(1)
	for {
		peak := c.peak.Load()
		if n <= peak || c.peak.CompareAndSwap(peak, n) {
			return
		}
	}
}

// Stats is a snapshot of a proxy's counters.
type Stats struct {
	// Accepted counts client connections accepted, rejected ones included.
	Accepted int64 `json:"accepted"`
	// Current and Peak are open client connections, now and at most.
	Current int64 `json:"current"`
	Peak    int64 `json:"peak"`
	// Rejected counts connections refused by the maxclients fault.
	Rejected int64 `json:"rejected"`
	// DialErrors counts connections closed because the upstream refused.
	DialErrors int64 `json:"dial_errors"`
	// BytesUp and BytesDown count bytes delivered to Redis and to clients.
	// Bytes are counted as they are written to the other side.
	BytesUp   int64 `json:"bytes_upstream"`
	BytesDown int64 `json:"bytes_downstream"`
	// Panics counts panics recovered in the proxy's goroutines: each ended
	// one connection or one fault's run, never the proxy. Not 0 means a bug.
	Panics int64 `json:"panics"`
	// Injected counts, per fault name, the connections or requests it acted on.
	Injected map[string]int64 `json:"injected"`
	// LatencyLate is how late latency faults passed held bytes on, past
	// the time they drew: the proxy's own error in the latency it adds.
	LatencyLate Lateness `json:"latency_late"`
}

// Stats returns the proxy's counters now.
func (p *Proxy) Stats() Stats {
	s := Stats{
		Accepted: p.stats.accepted.Load(), Current: p.stats.current.Load(),
		Peak: p.stats.peak.Load(), Rejected: p.stats.rejected.Load(),
		DialErrors: p.stats.dialErrors.Load(),
		BytesUp:    p.stats.bytesUp.Load(), BytesDown: p.stats.bytesDown.Load(),
		Panics:   p.stats.panics.Load(),
		Injected: map[string]int64{}, LatencyLate: p.stats.late.snapshot(),
	}
	for _, in := range p.faults.Load().all {
		s.Injected[in.name] = in.injected.Load()
	}
	return s
}

// ResetPeak sets the peak back to the current number of connections, so a
// caller can measure the peak of one phase.
func (p *Proxy) ResetPeak() { p.stats.peak.Store(p.stats.current.Load()) }
