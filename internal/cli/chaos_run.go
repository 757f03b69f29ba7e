package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/junit"
	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/chaos/scenario"
)

// newChaosRunCmd builds `rescli chaos run`.
func newChaosRunCmd(g *Global) *cobra.Command {
	var dryRun bool
	var junitFile string
	cmd := &cobra.Command{
		Use:   "run FILE.yaml",
		Short: "Run a chaos scenario: hypothesis, method, rollbacks, verdict",
		Long: `Run a chaos experiment from a YAML file: the steady-state hypothesis is checked before the
method; the method's faults (on in-process proxies in front of every data node of the target,
or server-side with 'server:' steps and an allow-list) run on their timeline with probes beside
them; the rollbacks always run — on success, failure, abort and on SIGINT, SIGTERM, SIGHUP or
SIGQUIT; then the hypothesis must hold again within each probe's 'within'. Prints the timeline.

The target may be one server, a Sentinel deployment or a Cluster. A proxy fault acts on every
node's proxy, or on one with 'node: HOST:PORT' or 'key: K' (the master that owns K); a server
fault acts where 'chaos inject' would (the server, the master the Sentinels name now, every
Cluster master) or on the node named the same way; 'failover' and 'kill-node' are server
faults. The managed workload and the herds reach every node through its proxy, also after a
redirect or a failover. RESCLI_CHAOS_ALLOW adds to the file's allow-list.

Before anything changes, every server step is planned against the target as 'chaos inject'
would (allow-list, arguments, what the server supports); one that is refused stops the run
before it starts. The verdict "hypothesis held" needs the whole method to have run: a step
refused or failing during the run aborts the method, the rollbacks run, and the run fails.
With -o json each step has a status: done, cut_short, refused, failed or not_run.

Exit codes: 0 the hypothesis held and every step ran; 1 it did not hold, or the method was
aborted (a during-probe, a step refused or failed during the run — the step is named), or a
rollback failed; 2 the file is broken, a server step was refused before the run, or the
target cannot be reached; 128+signal when a signal ended the run after its rollbacks (130
SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT). Examples: testdata/scenarios/.`,
		Example: `  REDIS_URL=redis://127.0.0.1:6379 rescli chaos run testdata/scenarios/latency-spike.yaml
  rescli chaos run testdata/scenarios/maxclients-exhaustion.yaml --dry-run
  rescli chaos run testdata/scenarios/cluster-shard-blackholed.yaml --redis-url redis+cluster://127.0.0.1:7000`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			getenv := func(k string) string {
				if k == envRedisURL && g.RedisURL != "" {
					return g.RedisURL
				}
				return g.Getenv(k)
			}
			s, err := scenario.LoadFile(args[0], getenv)
			if err != nil {
				return &UsageError{Err: err}
			}
			s.Allow = append(s.Allow, splitList(g.Getenv(envChaosAllow))...)
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			if dryRun {
				return dryRunPlan(ctx, g, s, inject.Journal{Dir: inject.DefaultDir(g.Getenv)})
			}
			return runScenario(ctx, g, s, junitFile)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate the file, check its server steps against the target (read-only) and print the plan; change nothing")
	cmd.Flags().StringVar(&junitFile, "junit", "", "also write the result as JUnit XML to this file (hypothesis checks and steps as test cases, the timeline as output)")
	return jsonDocument(cmd, schemaChaosRun)
}

func runScenario(ctx context.Context, g *Global, s *scenario.Scenario, junitFile string) error {
	var live io.Writer
	if !g.JSON() {
		live = g.IO.Out
		fmt.Fprintf(live, "scenario: %s · target %s\n\n", s.Name, redact.URL(s.Target))
	}
	rep, err := scenario.Run(ctx, s, scenario.Options{Journal: inject.Journal{Dir: inject.DefaultDir(g.Getenv)}, Out: live})
	if ierr := interrupted(ctx); ierr != nil && rep == nil {
		return ierr
	}
	if err != nil {
		return fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if junitFile != "" {
		if err := junit.WriteFile(junitFile, rep.JUnit()); err != nil {
			return err
		}
	}
	g.appendStepSummary(rep.WriteMarkdown)
	if g.JSON() {
		if err := printJSON(g.IO.Out, schemaChaosRun, rep); err != nil {
			return err
		}
	}
	if ierr := interrupted(ctx); ierr != nil {
		return ierr
	}
	switch {
	case rep.Held:
		return nil
	case rep.Abort != "":
		return CheckFailed("scenario %q failed: the method was aborted: %s", s.Name, rep.Abort)
	case rep.RollbackError != "":
		return CheckFailed("scenario %q failed: a rollback failed: %s", s.Name, rep.RollbackError)
	}
	return CheckFailed("scenario %q: the hypothesis did not hold", s.Name)
}
