package health

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rescli/rescli/pkg/orchestrate"
)

// Registry returns a registry holding the manager's collector, the
// orchestrator's, the overall health status and the Go and process
// collectors.
func (c *Checker) Registry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if m := c.opts.Manager; m != nil {
		reg.MustRegister(m.Collector())
	}
	if o := c.opts.Orchestrator; o != nil {
		reg.MustRegister(OrchestratorCollector(o))
	}
	reg.MustRegister(statusCollector{c})
	return reg
}

// MetricsHandler serves Registry in the Prometheus exposition format.
func (c *Checker) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(c.Registry(), promhttp.HandlerOpts{})
}

var (
	descHealth = prometheus.NewDesc("rescli_health_status",
		"1 for the overall health status (pass, warn, fail), 0 for the others.", []string{"status"}, nil)
	descSvcState = prometheus.NewDesc("rescli_service_state",
		"1 for the state the orchestrated service is in, 0 for the other states listed.", []string{"service", "state"}, nil)
	descSvcStart = prometheus.NewDesc("rescli_service_start_seconds",
		"How long the service's own start took (all attempts).", []string{"service"}, nil)
	descSvcWait = prometheus.NewDesc("rescli_service_wait_seconds",
		"How long the service waited for its dependencies and a slot.", []string{"service"}, nil)
	descSvcAttempts = prometheus.NewDesc("rescli_service_start_attempts",
		"Start attempts made for the service.", []string{"service"}, nil)
)

type statusCollector struct{ c *Checker }

func (s statusCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descHealth }

func (s statusCollector) Collect(ch chan<- prometheus.Metric) {
	st := s.c.Basic().Status
	for _, v := range []Status{Pass, Warn, Fail} {
		val := 0.0
		if v == st {
			val = 1
		}
		ch <- prometheus.MustNewConstMetric(descHealth, prometheus.GaugeValue, val, string(v))
	}
}

// OrchestratorCollector exports an orchestrator's per-service status.
func OrchestratorCollector(o *orchestrate.Orchestrator) prometheus.Collector {
	return orchCollector{o}
}

type orchCollector struct{ o *orchestrate.Orchestrator }

var exportedStates = []orchestrate.State{
	orchestrate.StatePending, orchestrate.StateStarting, orchestrate.StateStarted,
	orchestrate.StateDegraded, orchestrate.StateFailed, orchestrate.StateSkipped, orchestrate.StateStopped,
}

func (orchCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSvcState, descSvcStart, descSvcWait, descSvcAttempts} {
		ch <- d
	}
}

func (c orchCollector) Collect(ch chan<- prometheus.Metric) {
	for _, ss := range c.o.Status().Services {
		for _, st := range exportedStates {
			val := 0.0
			if st == ss.State {
				val = 1
			}
			ch <- prometheus.MustNewConstMetric(descSvcState, prometheus.GaugeValue, val, ss.Name, string(st))
		}
		ch <- prometheus.MustNewConstMetric(descSvcStart, prometheus.GaugeValue, ss.Own.Seconds(), ss.Name)
		ch <- prometheus.MustNewConstMetric(descSvcWait, prometheus.GaugeValue, ss.Wait.Seconds(), ss.Name)
		ch <- prometheus.MustNewConstMetric(descSvcAttempts, prometheus.GaugeValue, float64(ss.Attempts), ss.Name)
	}
}
