package scenario

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/quantile"
	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
)

// probeEnv is what probes read.
type probeEnv struct {
	m          *manager.Manager
	load       *workload
	baseline   float64 // goodput before the method, ops/s
	herdFailed func() int
}

// check evaluates one probe: whether it holds and what it measured.
func (e *probeEnv) check(ctx context.Context, p Probe) (bool, string) {
	switch p.Probe {
	case "breaker":
		s := e.m.State().String()
		return s == p.Expect, "breaker " + s
	case "ping_p99":
		max, _ := time.ParseDuration(p.Max)
		p99, err := e.pingP99(ctx)
		if err != nil {
			return false, "PING failed: " + err.Error()
		}
		return p99 <= max, fmt.Sprintf("PING p99 %s (max %s)", p99.Round(time.Microsecond), max)
	case "error_rate":
		max, _ := parseFloat(p.Max)
		r := e.load.errorRate(p.Window.Duration)
		return r <= max, fmt.Sprintf("error rate %.1f%% over %s (max %.1f%%)", r*100, p.Window.Duration, max*100)
	case "goodput":
		g := e.load.goodput(p.Window.Duration)
		frac := 0.0
		if e.baseline > 0 {
			frac = g / e.baseline
		}
		return frac >= p.Min, fmt.Sprintf("goodput %.0f ops/s = %.0f%% of baseline %.0f (min %.0f%%)", g, frac*100, e.baseline, p.Min*100)
	case "health":
		status, err := healthStatus(ctx, p.Service)
		if err != nil {
			return false, "health: " + err.Error()
		}
		return status == p.Expect, fmt.Sprintf("%s /health %s", p.Service, status)
	case "herd_failed":
		max, _ := parseFloat(p.Max)
		n := e.herdFailed()
		return float64(n) <= max, fmt.Sprintf("%d herd services failed (max %.0f)", n, max)
	}
	return false, "unknown probe " + p.Probe
}

// PING samples for ping_p99: up to pingSamples within pingBudget, after
// one uncounted PING, so that a dial or TLS handshake on a fresh pooled
// connection is not read as the server's answer time. With 100 samples the
// nearest-rank p99 leaves out the single worst one (a GC pause or a
// scheduler hiccup on a loaded CI machine).
const (
	pingSamples = 100
	pingBudget  = time.Second
)

func (e *probeEnv) pingP99(ctx context.Context) (time.Duration, error) {
	ping := func() (time.Duration, error) {
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		err := e.m.Client().Ping(cctx).Err()
		return time.Since(start), err
	}
	if _, err := ping(); err != nil {
		return 0, err
	}
	var ds []time.Duration
	for begin := time.Now(); len(ds) < pingSamples && (len(ds) == 0 || time.Since(begin) < pingBudget); {
		d, err := ping()
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return quantile.Nearest(ds, 0.99), nil
}

// healthClient reads a service's /health in whatever format it speaks.
var healthClient = &health.Client{Timeout: 2 * time.Second}

func healthStatus(ctx context.Context, base string) (string, error) {
	res, err := healthClient.Fetch(ctx, strings.TrimRight(base, "/")+health.PathBasic, false)
	if err != nil {
		return "", err
	}
	return string(res.Doc.Status), nil
}
