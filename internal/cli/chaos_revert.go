package cli

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/target"
)

// newChaosRevertCmd builds `rescli chaos revert`.
func newChaosRevertCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use:     "revert",
		Example: "  rescli chaos revert\n  rescli chaos revert --redis-url redis://:$REDIS_PASSWORD@127.0.0.1:6379",
		Short:   "Revert every server-side fault left in the journal (after a crash)",
		Long: `Revert every fault 'rescli chaos inject' journaled and did not revert (it was killed, or the
machine died). The journal holds no password: when a server needs one, give the deployment's URL with
--redis-url / REDIS_URL; its credentials and TLS are used for every entry it recorded (each
entry goes back to the node it changed, wherever the master is now) and for any entry at one
of the URL's addresses.

Overlapping faults on one server and setting are reverted at once, to the original value the
oldest of them recorded. Every entry is reverted, also one whose process still runs: that
process then finds its fault gone and leaves the server alone. The exception is a pause all
whose process runs: it keeps renewing the pause, which holds CLIENT UNPAUSE back; end that
process instead. One whose process died has ended by itself within half a second.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			j := inject.Journal{Dir: inject.DefaultDir(g.Getenv)}
			var given *target.Target
			if g.RedisURL != "" {
				t, err := target.Parse(g.RedisURL)
				if err != nil {
					return &UsageError{Err: err}
				}
				given = &t
			}
			reverted, err := inject.RevertAll(cmd.Context(), j, func(e inject.Entry) (*redis.Client, error) {
				return redis.NewClient(e.Options(given)), nil
			}, g.IO.ErrOut)
			if g.JSON() {
				doc := revertDoc{Reverted: []revertedDoc{}}
				for _, e := range reverted {
					doc.Reverted = append(doc.Reverted, revertedDoc{ID: e.ID, Fault: e.Plan.Fault, Target: e.Target, Node: e.Addr, Created: e.Created})
				}
				if err != nil {
					doc.Error = redact.String(err.Error())
				}
				if perr := printJSON(g.IO.Out, schemaChaosRevert, doc); perr != nil && err == nil {
					err = perr
				}
			}
			if err != nil {
				return fmt.Errorf("chaos revert: %w", err)
			}
			if len(reverted) == 0 {
				fmt.Fprintln(g.IO.ErrOut, "nothing to revert")
			}
			return nil
		},
	}, schemaChaosRevert)
}

// revertDoc is `chaos revert -o json`'s document.
type revertDoc struct {
	Reverted []revertedDoc `json:"reverted"`
	Error    string        `json:"error,omitempty"`
}

type revertedDoc struct {
	ID      string    `json:"id"`
	Fault   string    `json:"fault"`
	Target  string    `json:"target"`
	Node    string    `json:"node"`
	Created time.Time `json:"created"`
}
