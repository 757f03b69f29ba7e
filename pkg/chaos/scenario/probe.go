package scenario

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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
		p99, err := e.pingP99(ctx, 20)
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

func (e *probeEnv) pingP99(ctx context.Context, n int) (time.Duration, error) {
	var ds []time.Duration
	for range n {
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		err := e.m.Client().Ping(cctx).Err()
		cancel()
		if err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[(len(ds)*99)/100], nil
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
