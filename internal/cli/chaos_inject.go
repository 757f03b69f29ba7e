package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/target"
)

type injectOptions struct {
	g             *Global
	duration      time.Duration
	allow         []string
	yes           bool
	dryRun        bool
	allowDataLoss bool
	sel           inject.Select
}

// newChaosInjectCmd builds `rescli chaos inject`.
func newChaosInjectCmd(g *Global) *cobra.Command {
	o := &injectOptions{g: g}
	cmd := &cobra.Command{
		Use:   "inject FAULT [ARGS...] [--duration D]",
		Short: "Apply a server-side fault to a real Redis, reverted at its TTL or on Ctrl-C",
		Long: `Apply a server-side fault to the Redis at --redis-url / REDIS_URL for --duration, then revert it.
A failover needs no --duration: it is applied and the command returns (nothing to revert).

With -o json, one document (schema rescli.chaos.inject/v1) on stdout when the command ends:
the target, the plan on each node, and the outcome (planned, reverted, applied, failed);
the progress lines stay on stderr.

Faults:
  pause [write|all]           CLIENT PAUSE (default write); reverted with CLIENT UNPAUSE. A pause
                              all is renewed every 250ms from a connection of its own (Redis
                              holds even CLIENT UNPAUSE back under it), so it ends within a
                              second of a revert, or of rescli dying
  sleep                       DEBUG SLEEP (only where the server allows DEBUG)
  kill-clients FILTER VALUE   CLIENT KILL type normal|pubsub|replica, addr IP:PORT, user NAME, laddr, id
  maxclients N                CONFIG SET maxclients N, the old value restored
  maxmemory BYTES             CONFIG SET maxmemory BYTES, the old value restored. Below
                              used_memory under an evicting maxmemory-policy it destroys keys:
                              refused, with an estimate of the keys lost, unless
                              --allow-data-loss; under noeviction writes fail with OOM instead
  failover                    SENTINEL FAILOVER (a Sentinel target) or CLUSTER FAILOVER on a
                              replica of the master chosen with --node or --key (a Cluster);
                              not undone: the deployment stays healthy
  kill-node [HOST:PORT]       kill -9 a node of a deployment rescli started ('rescli dev'),
                              restarted with the same command line to revert

Where a fault acts, by kind of target (the plan names every node before anything changes):
  redis://, rediss://         the server
  redis+sentinel://           the master the Sentinels name now (--node: another data node);
                              the revert goes to the node that was changed, even after a
                              failover; failover asks a Sentinel; kill-node kills a Sentinel
                              only when --node (or its HOST:PORT) names one
  redis+cluster://            every master; --node HOST:PORT one node; --key K the master that
                              owns K's slot; failover and kill-node need --node or --key

Safety: the target must match --allow or RESCLI_CHAOS_ALLOW (globs over host or host:port);
on a terminal you confirm (or pass --yes), elsewhere --yes is required; --dry-run only prints
the plan. A fault that could not be reverted is refused before anything changes: the revert's
command is tried first where that changes nothing (CONFIG SET to the current value) and asked
of ACL DRYRUN otherwise. The fault is reverted at its TTL, on success, on error and on SIGINT,
SIGTERM, SIGHUP or SIGQUIT (exit 128+signal: 130, 143, 129, 131); before it is applied it is
written to a journal (no password in it) so that after a crash 'rescli chaos revert' restores
the server.

Overlapping faults: faults on the same server and setting compose. A maxclients or maxmemory
fault applied while another one on that setting is on takes the original value from the
journal, not from the server; when one ends while others are on, the setting goes to the
value of the newest one left, and the original comes back when the last one ends. A fault
whose process was killed counts as on until 'rescli chaos revert' (the server still holds
it). A second pause on a server is refused: Redis keeps one pause and cannot end one of two.`,
		Example: `  RESCLI_CHAOS_ALLOW='*.staging.internal' rescli chaos inject maxclients 50 --duration 30s --redis-url redis://redis-1.staging.internal:6379
  rescli chaos inject pause all --duration 5s --allow 127.0.0.1 --yes
  rescli chaos inject maxmemory 10000000 --duration 1m --allow 127.0.0.1 --dry-run
  rescli chaos inject pause write --duration 5s --key user:42 --allow 127.0.0.1 --yes --redis-url redis+cluster://127.0.0.1:7000`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd.Context(), args) },
	}
	jsonDocument(cmd, schemaChaosInject)
	f := cmd.Flags()
	f.DurationVar(&o.duration, "duration", 0, "how long the fault stays on (its TTL); required")
	f.StringSliceVar(&o.allow, "allow", nil, "host patterns faults may target (env RESCLI_CHAOS_ALLOW, comma-separated)")
	f.BoolVar(&o.yes, "yes", false, "do not ask for confirmation")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be done, change nothing")
	f.BoolVar(&o.allowDataLoss, "allow-data-loss", false, "accept a fault that destroys data (a maxmemory that makes the eviction policy drop keys)")
	f.StringVar(&o.sel.Node, "node", "", "act on the node at HOST:PORT (Sentinel or Cluster targets)")
	f.StringVar(&o.sel.Key, "key", "", "act on the master that owns this key (Cluster targets)")
	return cmd
}

func (o *injectOptions) run(ctx context.Context, args []string) error {
	if o.g.RedisURL == "" {
		return Usagef("chaos inject needs --redis-url or REDIS_URL")
	}
	if o.duration <= 0 && !inject.Oneshot(args[0]) {
		return Usagef("--duration is required (the fault's TTL), e.g. --duration 30s")
	}
	tgt, err := target.Parse(o.g.RedisURL)
	if err != nil {
		return &UsageError{Err: err}
	}
	allow := append(o.allow, splitList(o.g.Getenv(envChaosAllow))...)
	j := inject.Journal{Dir: inject.DefaultDir(o.g.Getenv)}
	spec := inject.Spec{Fault: args[0], Args: args[1:], Duration: o.duration, AllowDataLoss: o.allowDataLoss}
	plans, _, err := inject.PlanAll(ctx, tgt, spec, o.sel, allow, j)
	if err != nil {
		switch {
		case errors.Is(err, inject.ErrNotRevertible), errors.Is(err, inject.ErrDataLoss), errors.Is(err, inject.ErrOverlap):
			return fmt.Errorf("refused: %w", err)
		case errors.Is(err, inject.ErrKind), errors.Is(err, inject.ErrNotAllowed), errors.Is(err, target.ErrUnresolved):
			return err
		}
		return &UsageError{Err: err}
	}
	doc := injectDoc{Target: tgt.String(), DryRun: o.dryRun, Outcome: "planned", Plans: []injectPlanDoc{}}
	fmt.Fprintf(o.g.IO.ErrOut, "target: %s\n", tgt)
	for _, np := range plans {
		doc.Plans = append(doc.Plans, injectPlanDoc{Node: np.Target.Node.Addr, Role: string(np.Target.Node.Role), Fault: np.Plan.Fault,
			Description: np.Plan.Description, Warning: np.Plan.Warning, DurationMS: np.Plan.Duration.Milliseconds(), Revert: np.Plan.Revert})
		node := np.Target.Node.Addr
		if tgt.Kind != target.Standalone { // one server's role is not asked
			node = string(np.Target.Node.Role) + " " + node
		}
		fmt.Fprintf(o.g.IO.ErrOut, "plan:   %s: %s\n", node, np.Plan.Description)
		if np.Plan.Warning != "" {
			fmt.Fprintf(o.g.IO.ErrOut, "note:   %s\n", np.Plan.Warning)
		}
	}
	if o.dryRun {
		fmt.Fprintln(o.g.IO.ErrOut, "dry run: nothing changed")
		return o.print(doc)
	}
	if !o.yes {
		if err := o.confirm(); err != nil {
			return err
		}
	}
	// Signals are taken over only now: until here nothing has changed, and
	// a signal may end the process (the confirmation prompt blocks on
	// stdin). From here on every terminating signal ends the fault first.
	ctx, stop := signalContext(ctx)
	defer stop()
	err = inject.InjectAll(ctx, plans, j, o.g.IO.ErrOut)
	switch {
	case err != nil:
		doc.Outcome, doc.Error = "failed", redact.String(err.Error())
	case inject.Oneshot(args[0]):
		doc.Outcome = "applied"
	default:
		doc.Outcome = "reverted"
	}
	if ierr := interrupted(ctx); ierr != nil {
		doc.Interrupted = ierr.Error()
		if err == nil {
			err = ierr
		}
	}
	if perr := o.print(doc); perr != nil && err == nil {
		err = perr
	}
	return err
}

// injectDoc is `chaos inject -o json`'s document.
type injectDoc struct {
	Target string          `json:"target"`
	DryRun bool            `json:"dry_run"`
	Plans  []injectPlanDoc `json:"plans"`
	// Outcome: planned (a dry run), reverted (the fault ran and was
	// undone), applied (a failover: nothing to undo), failed.
	Outcome     string `json:"outcome"`
	Error       string `json:"error,omitempty"`
	Interrupted string `json:"interrupted,omitempty"` // the signal that ended the fault early
}

type injectPlanDoc struct {
	Node        string        `json:"node"`
	Role        string        `json:"role"`
	Fault       string        `json:"fault"`
	Description string        `json:"description"`
	Warning     string        `json:"warning,omitempty"`
	DurationMS  int64         `json:"duration_ms"`
	Revert      []inject.Step `json:"revert"`
}

func (o *injectOptions) print(doc injectDoc) error {
	if !o.g.JSON() {
		return nil
	}
	return printJSON(o.g.IO.Out, schemaChaosInject, doc)
}

func (o *injectOptions) confirm() error {
	f, ok := o.g.IO.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return Usagef("refusing to change a server without confirmation: not a terminal, pass --yes")
	}
	fmt.Fprint(o.g.IO.ErrOut, "apply this fault? [y/N] ")
	line, _ := bufio.NewReader(f).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("not confirmed: nothing changed")
	}
	return nil
}

// splitList reads a comma-separated list from an environment variable,
// spaces trimmed and empty items dropped.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
