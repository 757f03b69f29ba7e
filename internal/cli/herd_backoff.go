package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/herd"
)

type backoffOptions struct {
	g        *Global
	cfg      herd.ContendConfig
	policies []string
}

// newHerdBackoffCmd builds `rescli herd backoff`.
func newHerdBackoffCmd(g *Global) *cobra.Command {
	o := &backoffOptions{g: g}
	cmd := &cobra.Command{
		Use:   "backoff",
		Short: "Compare retry backoff policies under contention on one key (Exponential Backoff And Jitter)",
		Long: `Reproduce the AWS Architecture Blog's "Exponential Backoff And Jitter": --clients
clients each increment one Redis key once with WATCH/MULTI/EXEC; a conflict is retried
after the policy's backoff. Prints total calls and time to completion per policy:
none (exponential, no jitter), full, equal and decorrelated jitter.`,
		Example: `  rescli herd backoff --clients 100
  rescli herd backoff --redis-url redis://127.0.0.1:6379 --policy none,full -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.IntVar(&o.cfg.Clients, "clients", 100, "clients contending for the key")
	f.DurationVar(&o.cfg.Base, "base", time.Millisecond, "backoff base")
	f.DurationVar(&o.cfg.Work, "work", time.Millisecond, "think time between reading and writing the key (the conflict window)")
	f.DurationVar(&o.cfg.Cap, "cap", 250*time.Millisecond, "backoff cap")
	f.Int64Var(&o.cfg.Seed, "seed", 1, "seed for the jitter")
	f.StringSliceVar(&o.policies, "policy", herd.BackoffNames(), "policies to compare: "+strings.Join(herd.BackoffNames(), ","))
	return jsonDocument(cmd, schemaHerdBackoff)
}

func (o *backoffOptions) run(cmd *cobra.Command) error {
	if o.cfg.Clients < 1 {
		return Usagef("--clients must be at least 1")
	}
	o.cfg.RedisURL, o.cfg.Policies = o.g.RedisURL, o.policies
	res, err := herd.Contend(cmd.Context(), o.cfg)
	if err != nil {
		return fmt.Errorf("backoff comparison against %s: %w", backoffTarget(o.g.RedisURL), err)
	}
	if o.g.JSON() {
		return printJSON(o.g.IO.Out, schemaHerdBackoff, backoffDoc{Target: backoffTarget(o.g.RedisURL), Clients: o.cfg.Clients, Policies: res})
	}
	fmt.Fprintf(o.g.IO.Out, "target: %s · %d clients · one key · WATCH/MULTI/EXEC\n\n", backoffTarget(o.g.RedisURL), o.cfg.Clients)
	t := newTable(o.g.IO.Out, "policy", "calls", "conflicts", "time", "calls vs none")
	var none int64
	for _, r := range res {
		if r.Policy == "none" {
			none = r.Calls
		}
	}
	for _, r := range res {
		ratio := "-"
		if none > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(r.Calls)/float64(none))
		}
		if err := t.Append([]string{r.Policy, fmt.Sprint(r.Calls), fmt.Sprint(r.Conflicts), ms(r.DurationMS), ratio}); err != nil {
			return err
		}
	}
	return t.Render()
}

// backoffDoc is `herd backoff -o json`'s document.
type backoffDoc struct {
	Target   string               `json:"target"`
	Clients  int                  `json:"clients"`
	Policies []herd.ContendResult `json:"policies"`
}

// backoffTarget names the backoff comparison's target: with none given it
// runs on the embedded server.
func backoffTarget(url string) string {
	if url == "" {
		return herd.EmbeddedLabel
	}
	return redact.URL(url)
}
