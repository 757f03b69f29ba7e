package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/chaos/scenario"
)

// newChaosRunCmd builds `rescli chaos run`.
func newChaosRunCmd(g *Global) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "run FILE.yaml",
		Short: "Run a chaos scenario: hypothesis, method, rollbacks, verdict",
		Long: `Run a chaos experiment from a YAML file: the steady-state hypothesis is checked before the
method; the method's faults (on an in-process proxy in front of the target, or server-side
with 'server:' steps and an allow-list) run on their timeline with probes beside them; the
rollbacks always run — on success, failure, abort and Ctrl-C; then the hypothesis must hold
again within each probe's 'within'. Prints the timeline.

Exit codes: 0 the hypothesis held, 1 it did not (or the run was aborted or interrupted),
2 the file is broken or the target cannot be reached. Examples: testdata/scenarios/.`,
		Example: `  REDIS_URL=redis://127.0.0.1:6379 rescli chaos run testdata/scenarios/latency-spike.yaml
  rescli chaos run testdata/scenarios/maxclients-exhaustion.yaml --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			getenv := func(k string) string {
				if k == "REDIS_URL" && g.RedisURL != "" {
					return g.RedisURL
				}
				return g.Getenv(k)
			}
			s, err := scenario.LoadFile(args[0], getenv)
			if err != nil {
				return &UsageError{Err: err}
			}
			if dryRun {
				return printPlan(g.IO.Out, s)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var live io.Writer
			if !g.JSON() {
				live = g.IO.Out
				fmt.Fprintf(live, "scenario: %s · target %s\n\n", s.Name, redact.URL(s.Target))
			}
			rep, err := scenario.Run(ctx, s, scenario.Options{Journal: inject.Journal{Dir: inject.DefaultDir(g.Getenv)}, Out: live})
			if err != nil {
				return fmt.Errorf("scenario %s: %w", s.Name, err)
			}
			if g.JSON() {
				enc := json.NewEncoder(g.IO.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			}
			if !rep.Held {
				return CheckFailed("scenario %q: the hypothesis did not hold", s.Name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate the file and print the plan; change nothing")
	return cmd
}

func printPlan(w io.Writer, s *scenario.Scenario) error {
	fmt.Fprintf(w, "scenario: %s · target %s\nload: %d ops/s on %d workers\n\nhypothesis (before and after):\n", s.Name, redact.URL(s.Target), s.Load.Rate, s.Load.Workers)
	for _, p := range s.Hypothesis {
		fmt.Fprintf(w, "  %s expect=%s max=%s min=%v within %s\n", p.Probe, p.Expect, p.Max, p.Min, p.Within.Duration)
	}
	fmt.Fprintln(w, "method:")
	for _, st := range s.Method {
		switch {
		case st.Proxy != nil:
			fmt.Fprintf(w, "  +%s proxy %s for %s %v\n", st.At.Duration, st.Proxy.Type, st.Duration.Duration, st.Proxy.Attributes)
		case st.Server != nil:
			fmt.Fprintf(w, "  +%s server %s %v for %s\n", st.At.Duration, st.Server.Fault, st.Server.Args, st.Duration.Duration)
		case st.Herd != nil:
			fmt.Fprintf(w, "  +%s herd of %d (%s)\n", st.At.Duration, st.Herd.Services, st.Herd.Strategy)
		}
	}
	fmt.Fprintln(w, "rollbacks: every proxy fault removed, server faults reverted; then:")
	for _, r := range s.Rollbacks {
		fmt.Fprintf(w, "  %s\n", r.Action)
	}
	fmt.Fprintln(w, "dry run: nothing changed")
	return nil
}
