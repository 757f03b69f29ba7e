package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newChaosProxiesCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "proxies",
		Example: "  rescli chaos proxies ls --api 127.0.0.1:8474",
		Short:   "Inspect the proxies of a running chaos API",
		Args:    cobra.NoArgs,
	}
	var api string
	ls := &cobra.Command{
		Use:     "ls",
		Example: "  rescli chaos proxies ls\n  rescli chaos proxies ls -o json",
		Short:   "List proxies with their connections and fault counts",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			proxies, err := chaosClient(g, api, nil).Proxies(chaosCtx(cmd))
			if err != nil {
				return err
			}
			if g.JSON() {
				return chaosJSON(g, proxies)
			}
			tw := tabwriter.NewWriter(g.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLISTEN\tUPSTREAM\tENABLED\tTOXICS\tCURRENT\tPEAK\tACCEPTED\tREJECTED")
			for _, p := range proxies {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%d\t%d\t%d\t%d\n", p.Name, p.Listen, p.Upstream, p.Enabled,
					len(p.Toxics), p.Stats.Current, p.Stats.Peak, p.Stats.Accepted, p.Stats.Rejected)
			}
			return tw.Flush()
		},
	}
	chaosAPIFlag(ls, g, &api)
	cmd.AddCommand(ls)
	return cmd
}
