package chaos

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	descAccepted = prometheus.NewDesc("rescli_chaos_connections_accepted_total",
		"Client connections accepted by the proxy, rejected ones included.", []string{"proxy"}, nil)
	descCurrent = prometheus.NewDesc("rescli_chaos_connections_current",
		"Client connections open through the proxy.", []string{"proxy"}, nil)
	descPeak = prometheus.NewDesc("rescli_chaos_connections_peak",
		"Most client connections open at once through the proxy.", []string{"proxy"}, nil)
	descRejected = prometheus.NewDesc("rescli_chaos_connections_rejected_total",
		"Client connections turned away by the maxclients fault.", []string{"proxy"}, nil)
	descDialErrors = prometheus.NewDesc("rescli_chaos_upstream_dial_errors_total",
		"Connections closed because the upstream could not be reached.", []string{"proxy"}, nil)
	descBytes = prometheus.NewDesc("rescli_chaos_bytes_total",
		"Bytes delivered, by direction (upstream: to Redis).", []string{"proxy", "direction"}, nil)
	descPanics = prometheus.NewDesc("rescli_chaos_panics_total",
		"Panics recovered in the proxy (each ended one connection or one fault's run): a bug.", []string{"proxy"}, nil)
	descAPIPanics = prometheus.NewDesc("rescli_chaos_api_panics_total",
		"Control API requests whose handler panicked (answered 500): a bug.", nil, nil)
	descLate = prometheus.NewDesc("rescli_chaos_latency_late_seconds",
		"How late latency faults passed held bytes on, past the time they drew: the proxy's own error in the latency it adds.", []string{"proxy"}, nil)
	descInjected = prometheus.NewDesc("rescli_chaos_injected_total",
		"Connections or requests each fault acted on.", []string{"proxy", "toxic", "type"}, nil)
)

// Collector returns a Prometheus collector of every proxy's counters, to
// register in a caller's own registry.
func (s *Server) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Server }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAccepted, descCurrent, descPeak, descRejected, descDialErrors, descBytes, descPanics, descAPIPanics, descInjected, descLate} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	counter, gauge := prometheus.CounterValue, prometheus.GaugeValue
	ch <- prometheus.MustNewConstMetric(descAPIPanics, counter, float64(c.s.apiPanics.Load()))
	for _, p := range c.s.Proxies() {
		st, name := p.Stats(), p.Name()
		ch <- prometheus.MustNewConstMetric(descAccepted, counter, float64(st.Accepted), name)
		ch <- prometheus.MustNewConstMetric(descCurrent, gauge, float64(st.Current), name)
		ch <- prometheus.MustNewConstMetric(descPeak, gauge, float64(st.Peak), name)
		ch <- prometheus.MustNewConstMetric(descRejected, counter, float64(st.Rejected), name)
		ch <- prometheus.MustNewConstMetric(descDialErrors, counter, float64(st.DialErrors), name)
		ch <- prometheus.MustNewConstMetric(descBytes, counter, float64(st.BytesUp), name, StreamUpstream)
		ch <- prometheus.MustNewConstMetric(descBytes, counter, float64(st.BytesDown), name, StreamDownstream)
		ch <- prometheus.MustNewConstMetric(descPanics, counter, float64(st.Panics), name)
		late := st.LatencyLate
		ch <- prometheus.MustNewConstHistogram(descLate, uint64(late.Held), late.sum.Seconds(), late.cumulative(), name)
		// The instances, not Toxics(): that renders every fault's attributes.
		for _, in := range p.faults.Load().all {
			ch <- prometheus.MustNewConstMetric(descInjected, counter, float64(in.injected.Load()), name, in.name, in.typ)
		}
	}
}

func (s *Server) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collector())
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
