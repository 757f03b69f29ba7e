package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/herd"
)

// herdOptions are `rescli herd`'s flags.
type herdOptions struct {
	g          *Global
	cfg        herd.Config
	strategies []string
	report     string
}

// NewHerdCmd builds `rescli herd`.
func NewHerdCmd(g *Global) *cobra.Command {
	o := &herdOptions{g: g}
	cmd := &cobra.Command{
		Use:   "herd",
		Short: "Simulate many services starting at once against Redis, once per client strategy",
		Long: fmt.Sprintf(`Simulate N services starting at once against Redis — a thundering herd — once per
client strategy, and print them side by side: services ready / degraded / failed,
peak client connections, connections rejected with maxclients, connection attempts,
commands, retries, errors by class and start-up percentiles.

Connections are counted exactly by an in-process proxy in front of the target. With
no --redis-url and no REDIS_URL the target is an embedded Redis (simulated server)
with a connection limit of --maxclients (default %d: 40 naive services need at least
40 connections and overflow it; one managed pool of 20 fits).

Strategies:
  naive        %s
  shared-pool  %s
  jitter       %s
  managed      %s`, herd.DefaultMaxClients, herd.StrategyHelp("naive"), herd.StrategyHelp("shared-pool"),
			herd.StrategyHelp("jitter"), herd.StrategyHelp("managed")),
		Example: `  rescli herd --services 40
  rescli herd --services 400 --replicas 4 --strategy naive,shared-pool,jitter,managed
  rescli herd --redis-url redis://127.0.0.1:6379 --services 100 -o json
  rescli herd --services 40 --report herd.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.AddCommand(newHerdBackoffCmd(g))
	f := cmd.Flags()
	f.IntVar(&o.cfg.Services, "services", 40, "number of simulated services")
	f.IntVar(&o.cfg.Replicas, "replicas", 1, "processes the services are spread over (one pool per replica when managed)")
	f.StringSliceVar(&o.strategies, "strategy", []string{"naive", "managed"}, "strategies to run, in order: "+strings.Join(herd.StrategyNames(), ","))
	f.IntVar(&o.cfg.MaxClients, "maxclients", 0, fmt.Sprintf("connection limit at the proxy (default %d for the embedded server, none for a real one)", herd.DefaultMaxClients))
	f.Int64Var(&o.cfg.Seed, "seed", 1, "seed for every jitter and backoff decision")
	f.DurationVar(&o.cfg.StartupTimeout, "startup-timeout", 5*time.Second, "how long a service may take to become ready")
	f.DurationVar(&o.cfg.Steady, "steady", 500*time.Millisecond, "light load after all services settled")
	f.StringVar(&o.cfg.Backoff, "backoff", "full", "retry backoff of the jitter and managed strategies: "+strings.Join(herd.BackoffNames(), "|"))
	f.StringVar(&o.report, "report", "", "write an SVG chart of connections and ready services over time to this file")
	return jsonDocument(cmd, schemaHerd)
}

func (o *herdOptions) run(ctx context.Context) error {
	o.cfg.RedisURL = o.g.RedisURL
	o.cfg.Strategies = o.strategies
	if o.cfg.Services < 1 {
		return Usagef("--services must be at least 1")
	}
	ctx, stop := signalContext(ctx)
	defer stop()
	bar := newProgressBar(o.g)
	o.cfg.Progress = bar.update
	rep, err := herd.Run(ctx, o.cfg)
	bar.done()
	if ierr := interrupted(ctx); ierr != nil {
		return ierr // herd.Run stopped its services and embedded server: the run is incomplete
	}
	if err != nil {
		return fmt.Errorf("herd against %s: %w", targetName(o.g.RedisURL), err)
	}
	if o.report != "" {
		if err := os.WriteFile(o.report, []byte(herd.SVG(rep)), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if o.g.JSON() {
		for i := range rep.Strategies {
			rep.Strategies[i].Timeline = nil // the chart is in --report; keep the document small
		}
		return printJSON(o.g.IO.Out, schemaHerd, rep)
	}
	return renderHerd(o.g, rep)
}

func targetName(url string) string {
	if url == "" {
		return herd.EmbeddedLabel
	}
	return redact.URL(url)
}
