package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/herd"
)

type herdObserveOptions struct {
	g          *Global
	cfg        herd.Config
	strategies []string
	startAt    string
}

// newHerdObserveCmd builds `rescli herd observe`.
func newHerdObserveCmd(g *Global) *cobra.Command {
	o := &herdObserveOptions{g: g}
	cmd := &cobra.Command{
		Use:   "observe",
		Short: "Watch the server's own client count while a scheduled herd runs",
		Long: `Watch a Redis target's own counters (connected_clients, rejected_connections)
through every strategy's slot of a herd scheduled with --start-at, and print them as
one JSON document for rescli herd merge: the server's peak of connected clients is
the cross-check of the peak the herd's processes counted at their proxies. Give it
the same --strategy, --start-at, --startup-timeout and --steady as the herd. Replica
0 of a split herd watches the server itself; this is for when it should not.`,
		Example: `  rescli herd observe --redis-url redis://127.0.0.1:6379 --start-at 2030-01-02T15:04:05Z > observe.json`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	herdScheduleFlags(cmd, &o.cfg, &o.strategies, &o.startAt)
	return jsonDocument(cmd, schemaHerdObserve)
}

func (o *herdObserveOptions) run(cmd *cobra.Command) error {
	o.cfg.RedisURL, o.cfg.Strategies = o.g.RedisURL, o.strategies
	start, err := parseStartAt(o.startAt)
	if err != nil {
		return err
	}
	o.cfg.StartAt = start
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	obs, err := herd.Observe(ctx, o.cfg)
	if ierr := interrupted(ctx); ierr != nil {
		return ierr
	}
	if errors.Is(err, herd.ErrSplit) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return fmt.Errorf("observe %s: %w", targetName(o.g.RedisURL), err)
	}
	return printJSON(o.g.IO.Out, schemaHerdObserve, obs)
}
