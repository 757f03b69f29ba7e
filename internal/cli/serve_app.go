package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// errSimulated is the start error of the service named by --fail-service.
var errSimulated = errors.New("simulated start failure (--fail-service)")

// serveServices are the seed's graph, in declaration order.
var serveServices = []string{"redis_manager", "database", "background_services", "health_monitoring"}

// serveApp is the reference service: one manager, the orchestrated graph and
// the health checker over both.
type serveApp struct {
	m       *manager.Manager
	orch    *orchestrate.Orchestrator
	checker *health.Checker
	workers *workers
	timeout time.Duration // how long start-up waits for the first PING
}

// newServeApp wires the seed's graph:
//
//	phase 1: redis_manager, database (in parallel)
//	phase 2: background_services, health_monitoring
//
// redis_manager is critical only with --redis-critical: the workers fall
// back while Redis is down, so by default the service degrades instead of
// dying.
func newServeApp(m *manager.Manager, o *serveOptions, token, version string, logger *slog.Logger, onEvent func(orchestrate.Event)) (*serveApp, error) {
	app := &serveApp{m: m, workers: newWorkers(m, o.Workers, o.Rate), timeout: o.Timeout}
	maybeFail := func(name string, start func(context.Context) error) func(context.Context) error {
		if o.FailService != name {
			return start
		}
		return func(context.Context) error { return errSimulated }
	}
	phase1 := []string{"redis_manager", "database"}
	services := []orchestrate.Service{
		{Name: "redis_manager", Critical: o.RedisCritical, StartTimeout: o.Timeout + time.Second,
			Start: maybeFail("redis_manager", app.startRedis), Health: app.redisHealth},
		{Name: "database", Critical: true, StartTimeout: o.DatabaseDelay + 5*time.Second,
			Start: maybeFail("database", func(ctx context.Context) error {
				return orchestrate.Sleep(ctx, orchestrate.SystemClock(), o.DatabaseDelay)
			})},
		{Name: "background_services", DependsOn: phase1, StartTimeout: 5 * time.Second,
			Start: maybeFail("background_services", app.workers.start), Stop: app.workers.stop},
		{Name: "health_monitoring", DependsOn: phase1, StartTimeout: 2*o.Timeout + 5*time.Second,
			Start: maybeFail("health_monitoring", func(ctx context.Context) error { return app.checker.Start(ctx) }),
			Stop:  func(ctx context.Context) error { return app.checker.Stop(ctx) }},
	}
	orch, err := orchestrate.New(services, orchestrate.Options{
		Jitter: 50 * time.Millisecond, StopTimeout: o.StopTimeout, OnEvent: onEvent})
	if err != nil {
		return nil, fmt.Errorf("build service graph: %w", err)
	}
	app.orch = orch
	app.checker, err = health.New(health.Options{
		Version: version, ServiceID: "rescli-serve", Manager: m, Orchestrator: orch,
		AdminToken: token, Interval: o.HealthInterval, Timeout: o.Timeout,
		RedisCritical: o.RedisCritical, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("build health checker: %w", err)
	}
	return app, nil
}

// startRedis waits for the manager's first PING. Redis being down is not a
// start failure: the service runs degraded and the breaker recovers by
// itself.
func (a *serveApp) startRedis(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	for a.m.Snapshot().Ping.At.IsZero() {
		if err := orchestrate.Sleep(ctx, orchestrate.SystemClock(), 10*time.Millisecond); err != nil {
			return nil // the PING is still out; the monitor will report it
		}
	}
	return nil
}

// redisHealth is unhealthy while the breaker is open or forced open: either
// way the workers do not reach Redis.
func (a *serveApp) redisHealth(context.Context) error {
	switch s := a.m.Snapshot(); s.State {
	case manager.Open:
		return fmt.Errorf("%w: %s", manager.ErrCircuitOpen, s.LastError)
	case manager.ForcedOpen:
		return fmt.Errorf("%w: %s", manager.ErrForcedOpen, s.StateReason)
	}
	return nil
}
