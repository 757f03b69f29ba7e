package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// envAdminToken names the variable that holds the admin token of serve's
// admin endpoints and the token `rescli health` sends.
const envAdminToken = "RESCLI_ADMIN_TOKEN"

// serveOptions are `rescli serve`'s flags.
type serveOptions struct {
	Listen         string
	AddrFile       string
	Workers        int
	Rate           float64
	PoolSize       int
	HealthInterval time.Duration
	OpenTimeout    time.Duration
	Timeout        time.Duration
	DatabaseDelay  time.Duration
	StopTimeout    time.Duration
	FailService    string
	RedisCritical  bool

	// Signals delivers SIGINT and SIGTERM; tests inject a fake.
	Signals orchestrate.SignalSource
}

// NewServeCmd builds `rescli serve`.
func NewServeCmd(g *Global) *cobra.Command {
	o := &serveOptions{Signals: orchestrate.OSSignals()}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference service: managed Redis, orchestrated start-up, health endpoints",
		Long: `serve runs a small real service built from rescli's library: a managed Redis pool
behind a circuit breaker, start-up ordered by a dependency graph (redis_manager and
database in parallel, then background workers and health monitoring), and the health
endpoints: GET/HEAD /health for load balancers, /health/detailed, /health/redis and
/health/services for admins (Authorization: Bearer $` + envAdminToken + `; disabled when the
variable is unset), /metrics for Prometheus, and the admin breaker control: POST
/admin/breaker with {"action":"force-open"|"disable"|"reset","reason":"..."} holds the
circuit breaker open (the workers fall back), turns it off, or resets it to CLOSED.

Redis is --redis-url (env REDIS_URL; default redis://127.0.0.1:6379). Each worker INCRs its key rescli:serve:worker:<n> at --rate through the shared manager.
The service keeps serving, degraded, while Redis is down (workers fall back to a local
counter), recovers by itself, and stops its services in reverse order on SIGINT or SIGTERM.`,
		Example: `  RESCLI_ADMIN_TOKEN=s3cret rescli serve --redis-url redis://127.0.0.1:6379 --workers 20
  curl -H "Authorization: Bearer s3cret" http://127.0.0.1:8080/health/redis
  curl -H "Authorization: Bearer s3cret" -d '{"action":"force-open","reason":"INC-7"}' http://127.0.0.1:8080/admin/breaker`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "address to serve the health endpoints on (admin token: env "+envAdminToken+")")
	f.StringVar(&o.AddrFile, "addr-file", "", "write the base URL served (e.g. http://127.0.0.1:8080) to this file once listening")
	f.IntVar(&o.Workers, "workers", 8, "background workers using Redis through the shared manager")
	f.Float64Var(&o.Rate, "rate", 10, "operations per second per worker (jittered)")
	f.IntVar(&o.PoolSize, "pool-size", 20, "Redis connection pool size")
	f.DurationVar(&o.HealthInterval, "health-interval", 5*time.Second, "Redis health PING and health poll interval")
	f.DurationVar(&o.OpenTimeout, "open-timeout", 60*time.Second, "how long the circuit breaker stays open before probing")
	f.DurationVar(&o.Timeout, "check-timeout", 2*time.Second, "bound of each background health check")
	f.DurationVar(&o.DatabaseDelay, "database-delay", 200*time.Millisecond, "start-up time of the simulated database")
	f.DurationVar(&o.StopTimeout, "stop-timeout", 10*time.Second, "deadline for stopping every service on shutdown")
	f.StringVar(&o.FailService, "fail-service", "", "make this service's start fail, to see degradation and blast radius")
	f.BoolVar(&o.RedisCritical, "redis-critical", false, "treat Redis as critical: fail /health while it is down instead of degrading")
	return jsonDocument(cmd, schemaServe)
}

func (o *serveOptions) validate() error {
	switch {
	case o.Workers < 0:
		return Usagef("invalid --workers %d: want 0 or more", o.Workers)
	case o.Rate <= 0:
		return Usagef("invalid --rate %v: want more than 0", o.Rate)
	case o.PoolSize <= 0:
		return Usagef("invalid --pool-size %d: want more than 0", o.PoolSize)
	case o.HealthInterval <= 0 || o.OpenTimeout <= 0 || o.Timeout <= 0 || o.StopTimeout <= 0:
		return Usagef("invalid duration: --health-interval, --open-timeout, --check-timeout and --stop-timeout must be positive")
	case o.DatabaseDelay < 0:
		return Usagef("invalid --database-delay %v: want 0 or more", o.DatabaseDelay)
	case o.FailService != "" && !slices.Contains(serveServices, o.FailService):
		return Usagef("invalid --fail-service %q: want one of %v", o.FailService, serveServices)
	}
	return nil
}

func runServe(ctx context.Context, g *Global, o *serveOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	url := g.RedisURL
	if url == "" {
		url = "redis://127.0.0.1:6379"
	}
	logger := serveLogger(g)
	m, err := manager.New(manager.Options{
		URL: url, Name: "serve", PoolSize: o.PoolSize, HealthInterval: o.HealthInterval,
		Breaker: manager.BreakerSettings{OpenTimeout: o.OpenTimeout}, Logger: logger,
	})
	if err != nil {
		return &UsageError{Err: err}
	}
	defer m.Close()

	out := &lockedWriter{w: g.IO.Out}
	if g.JSON() { // stdout holds the one JSON document
		out.w = g.IO.ErrOut
	}
	token := g.Getenv(envAdminToken)
	app, err := newServeApp(m, o, token, Build().Version, logger, func(ev orchestrate.Event) {
		if ev.State == orchestrate.StateStopped {
			fmt.Fprintf(out, "stopped %s\n", ev.Service)
		}
		attrs := []any{"service", ev.Service, "state", string(ev.State)}
		if ev.Err != nil {
			attrs = append(attrs, "error", errText(ev.Err))
		}
		logger.Debug("service", attrs...)
	})
	if err != nil {
		return err
	}
	base, closeHTTP, err := listenHTTP(o, app.checker.Handler())
	if err != nil {
		return err
	}
	defer closeHTTP()
	admin := "admin endpoints enabled"
	if token == "" {
		admin = "admin endpoints disabled: set " + envAdminToken
	}
	fmt.Fprintf(out, "listening on %s (redis %s; %s)\n", base, m.Snapshot().Target, admin)
	fmt.Fprint(out, orchestrate.FormatPhases(app.orch.Phases()))

	res := serveLifecycle(ctx, app, o.Signals, out)
	if g.JSON() {
		if err := writeServeJSON(g.IO.Out, base, res); err != nil {
			return err
		}
	}
	if res.startErr != nil {
		return fmt.Errorf("start services: %w", res.startErr)
	}
	if res.stopErr != nil {
		return fmt.Errorf("stop services: %w", res.stopErr)
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return redact.String(err.Error())
}
