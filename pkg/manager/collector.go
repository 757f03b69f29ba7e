package manager

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector for this manager's metrics,
// labelled with its Name. Register it with prometheus.MustRegister or a
// registry of your own.
func (m *Manager) Collector() prometheus.Collector { return &collector{m: m} }

type collector struct{ m *Manager }

var (
	descRequests = prometheus.NewDesc("rescli_redis_requests_total",
		"Redis command attempts by outcome class (success, miss, dial, timeout, maxclients, ...).", []string{"name", "class"}, nil)
	descState = prometheus.NewDesc("rescli_redis_breaker_state",
		"1 for the breaker's current state, 0 for the others (CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED).", []string{"name", "state"}, nil)
	descTrips = prometheus.NewDesc("rescli_redis_breaker_trips_total",
		"Times the breaker opened from closed.", []string{"name"}, nil)
	descRecoveries = prometheus.NewDesc("rescli_redis_breaker_recoveries_total",
		"Times the breaker closed again after half-open probes succeeded.", []string{"name"}, nil)
	descAttempts = prometheus.NewDesc("rescli_redis_breaker_recovery_attempts_total",
		"Times the breaker went half-open to probe.", []string{"name"}, nil)
	descInState = prometheus.NewDesc("rescli_redis_breaker_state_seconds",
		"Seconds since the breaker entered its current state.", []string{"name"}, nil)
	descSlowCalls = prometheus.NewDesc("rescli_redis_slow_calls_total",
		"Command attempts slower than the breaker's SlowCallDuration (0 while slow calls are off).", []string{"name"}, nil)
	descFallbacks = prometheus.NewDesc("rescli_redis_fallbacks_total",
		"Fallbacks run because Redis was unavailable.", []string{"name"}, nil)
	descRetries = prometheus.NewDesc("rescli_redis_retries_total",
		"Retries made (result=made) or refused by the retry budget (result=denied).", []string{"name", "result"}, nil)
	descMaxClients = prometheus.NewDesc("rescli_redis_maxclients_rejections_total",
		"Connections Redis refused with ERR max number of clients reached.", []string{"name"}, nil)
	descDials = prometheus.NewDesc("rescli_redis_dials_total",
		"Connection attempts (result=attempt|failure).", []string{"name", "result"}, nil)
	descPool = prometheus.NewDesc("rescli_redis_pool_connections",
		"Pool connections by state (total, idle, in_use).", []string{"name", "state"}, nil)
	descPoolTimeouts = prometheus.NewDesc("rescli_redis_pool_timeouts_total",
		"Waits for a free pool connection that timed out.", []string{"name"}, nil)
	descLatency = prometheus.NewDesc("rescli_redis_command_duration_seconds",
		"Latency of Redis command attempts.", []string{"name"}, nil)
	descNodeState = prometheus.NewDesc("rescli_redis_node_breaker_state",
		"Cluster targets: 1 for each node breaker's current state, 0 for the others.", []string{"name", "node", "role", "state"}, nil)
	descNodeTrips = prometheus.NewDesc("rescli_redis_node_breaker_trips_total",
		"Cluster targets: times a node's breaker opened from closed.", []string{"name", "node", "role"}, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descState, descTrips, descRecoveries, descAttempts,
		descInState, descSlowCalls, descFallbacks, descRetries, descMaxClients, descDials, descPool, descPoolTimeouts, descLatency,
		descNodeState, descNodeTrips} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.m.Snapshot()
	n := s.Name
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append([]string{n}, labels...)...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{n}, labels...)...)
	}
	for cl := Class(0); cl < numClasses; cl++ {
		counter(descRequests, s.ByClass[cl], cl.String())
	}
	for _, st := range States() {
		v := 0.0
		if st == s.State {
			v = 1
		}
		gauge(descState, v, st.String())
	}
	counter(descTrips, s.Trips)
	counter(descRecoveries, s.Recoveries)
	counter(descAttempts, s.RecoveryAttempts)
	gauge(descInState, c.m.opts.Clock.Now().Sub(s.StateSince).Seconds())
	counter(descSlowCalls, s.SlowCalls)
	counter(descFallbacks, s.Fallbacks)
	counter(descRetries, s.Retries, "made")
	counter(descRetries, s.RetriesDenied, "denied")
	counter(descMaxClients, s.MaxClientsRejections)
	counter(descDials, s.DialAttempts, "attempt")
	counter(descDials, s.DialFailures, "failure")
	gauge(descPool, float64(s.Pool.Total), "total")
	gauge(descPool, float64(s.Pool.Idle), "idle")
	gauge(descPool, float64(s.Pool.InUse), "in_use")
	counter(descPoolTimeouts, uint64(s.Pool.Timeouts))

	buckets := make(map[float64]uint64, len(s.Latency.Buckets))
	for _, b := range s.Latency.Buckets {
		if b.UpperBound != math.MaxInt64 {
			buckets[b.UpperBound.Seconds()] = b.Count
		}
	}
	for _, nd := range s.Nodes {
		for _, st := range States() {
			v := 0.0
			if st == nd.State {
				v = 1
			}
			gauge(descNodeState, v, nd.Addr, nd.Role, st.String())
		}
		counter(descNodeTrips, nd.Trips, nd.Addr, nd.Role)
	}
	sum := s.Latency.Sum.Seconds()
	ch <- prometheus.MustNewConstHistogram(descLatency, s.Latency.Count, sum, buckets, n)
}
