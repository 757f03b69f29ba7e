package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/herd"
)

// herdOptions are `rescli herd`'s flags.
type herdOptions struct {
	g            *Global
	cfg          herd.Config
	strategies   []string
	report       string
	replicaIndex int
	startAt      string
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
no --redis-url and no REDIS_URL the target is a redis-server rescli starts on a free
loopback port when redis-server is in PATH, else an embedded Redis (a simulated server
in this process; --embedded forces it), behind a connection limit of --maxclients
(default %d: 40 naive services need at least 40 connections and overflow it; one
managed pool of 20 fits).

The simulator measures itself while services start: its CPU against the cores it
may use, the CPU its threads waited for, and how late a 10ms timer fires. When it
was the bottleneck the run is marked saturated: its numbers describe this machine,
not the strategy. Run fewer services per process, or split the herd over processes
(or Kubernetes pods, see deploy/ in the repository): each runs --replica-index I of
--replicas N from the same --start-at instant against one shared target and prints
its partial report as JSON; "rescli herd merge" adds them up into one report.
A split herd's strategies start one slot apart: start-up timeout + steady + 10s.

Strategies:
  naive        %s
  shared-pool  %s
  jitter       %s
  managed      %s`, herd.DefaultMaxClients, herd.StrategyHelp("naive"), herd.StrategyHelp("shared-pool"),
			herd.StrategyHelp("jitter"), herd.StrategyHelp("managed")),
		Example: `  rescli herd --services 40
  rescli herd --services 400 --replicas 4 --strategy naive,shared-pool,jitter,managed
  rescli herd --redis-url redis://127.0.0.1:6379 --services 100 -o json
  rescli herd --services 40 --report herd.svg
  rescli herd --services 40 --embedded
  rescli herd --redis-url redis://127.0.0.1:6379 --services 4000 --replicas 4 --replica-index 0 --start-at 2030-01-02T15:04:05Z > part0.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	cmd.AddCommand(newHerdBackoffCmd(g), newHerdMergeCmd(g), newHerdObserveCmd(g))
	f := cmd.Flags()
	f.IntVar(&o.cfg.Services, "services", 40, "number of simulated services")
	f.IntVar(&o.cfg.Replicas, "replicas", 1, "processes the services are spread over (one pool per replica when managed)")
	herdScheduleFlags(cmd, &o.cfg, &o.strategies, &o.startAt)
	f.IntVar(&o.cfg.MaxClients, "maxclients", 0, fmt.Sprintf("connection limit at the proxy (default %d with no target, none for a real one)", herd.DefaultMaxClients))
	f.BoolVar(&o.cfg.Embedded, "embedded", false, "with no target, use the embedded server even when redis-server is in PATH")
	f.Int64Var(&o.cfg.Seed, "seed", 1, "seed for every jitter and backoff decision")
	f.StringVar(&o.cfg.Backoff, "backoff", "full", "retry backoff of the jitter and managed strategies: "+strings.Join(herd.BackoffNames(), "|"))
	f.StringVar(&o.report, "report", "", "write an SVG chart of connections and ready services over time to this file")
	f.IntVar(&o.replicaIndex, "replica-index", 0, "run only this replica's share of a herd split over processes (needs --replicas, --start-at and a target); prints its partial report as JSON")
	return jsonDocument(cmd, schemaHerd)
}

// herdScheduleFlags are the flags a herd and its observer must agree on.
func herdScheduleFlags(cmd *cobra.Command, cfg *herd.Config, strategies *[]string, startAt *string) {
	f := cmd.Flags()
	f.StringSliceVar(strategies, "strategy", []string{"naive", "managed"}, "strategies to run, in order: "+strings.Join(herd.StrategyNames(), ","))
	f.DurationVar(&cfg.StartupTimeout, "startup-timeout", 5*time.Second, "how long a service may take to become ready")
	f.DurationVar(&cfg.Steady, "steady", 500*time.Millisecond, "light load after all services settled")
	f.StringVar(startAt, "start-at", "", "start the first strategy at this instant (RFC 3339, e.g. 2030-01-02T15:04:05Z), the same for every process of a split herd")
}

// parseStartAt reads --start-at; "" is the zero time.
func parseStartAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Usagef("--start-at %q: want an RFC 3339 time such as 2030-01-02T15:04:05Z", s)
	}
	return t, nil
}

func (o *herdOptions) run(cmd *cobra.Command) error {
	o.cfg.RedisURL = o.g.RedisURL
	o.cfg.Strategies = o.strategies
	if o.cfg.Services < 1 {
		return Usagef("--services must be at least 1")
	}
	start, err := parseStartAt(o.startAt)
	if err != nil {
		return err
	}
	o.cfg.StartAt = start
	if o.cfg.Split = cmd.Flags().Changed("replica-index"); o.cfg.Split {
		o.cfg.ReplicaIndex = o.replicaIndex
		if o.report != "" {
			return Usagef("--report charts a whole herd: give it to rescli herd merge")
		}
		if o.cfg.Embedded {
			return Usagef("--embedded: a split herd needs one server every process shares (--redis-url or REDIS_URL)")
		}
	}
	defer limitHerdMemory(o.cfg.Services)()
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	bar := newProgressBar(o.g)
	if !o.cfg.Split {
		o.cfg.Progress = bar.update
	}
	rep, err := herd.Run(ctx, o.cfg)
	bar.done()
	if ierr := interrupted(ctx); ierr != nil {
		return ierr // herd.Run stopped its services and its server: the run is incomplete
	}
	if errors.Is(err, herd.ErrSplit) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return fmt.Errorf("herd against %s: %w", targetName(o.g.RedisURL), err)
	}
	if o.cfg.Split { // the partial report, timeline included: merge needs it
		return printJSON(o.g.IO.Out, schemaHerdPartial, rep)
	}
	return writeHerd(o.g, rep, o.report)
}

// writeHerd writes a whole herd's report: the chart to report if set, then
// the table and verdict, or the JSON document.
func writeHerd(g *Global, rep *herd.Report, report string) error {
	if report != "" {
		if err := os.WriteFile(report, []byte(herd.SVG(rep)), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if g.JSON() {
		for i := range rep.Strategies {
			rep.Strategies[i].Timeline = nil // the chart is in --report; keep the document small
			rep.Strategies[i].StartupsMS = nil
		}
		return printJSON(g.IO.Out, schemaHerd, rep)
	}
	return renderHerd(g, rep)
}

func targetName(url string) string {
	if url == "" {
		return "the local or embedded server"
	}
	return redact.URL(url)
}

// herdMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// a herd of up to about 9,000 services runs under unless GOMEMLIMIT is set;
// a larger one gets 48 KiB per service. Without it the heap of 4,000
// services grows to twice its live size between collections: 617-648 MiB
// of RSS against 431-436 MiB with it, for 0.5-1.5 s more wall time
// (scripts/bench-herd.sh 4000, embedded). At 20,000 services the live
// memory alone is past 420 MiB, and holding it there doubled the wall time
// (17 s to 32 s): hence the share per service.
const (
	herdMemoryLimit      = 420 << 20
	herdMemoryPerService = 48 << 10
)

// limitHerdMemory sets the limit for a herd of n services and returns what
// puts the previous limit back (herd runs in-process in tests).
func limitHerdMemory(n int) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(max(herdMemoryLimit, int64(n)*herdMemoryPerService))
	return func() { debug.SetMemoryLimit(old) }
}
