package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos"
)

// chaosProxiesDoc is the JSON of `chaos proxies ls`, `delete` and `reset`:
// the proxies the API has afterwards.
type chaosProxiesDoc struct {
	API     string            `json:"api"`
	Proxies []chaos.ProxyJSON `json:"proxies"`
}

// chaosProxyDoc is the JSON of one proxy: `chaos proxy` as it starts,
// `chaos proxies create`, `enable` and `disable`.
type chaosProxyDoc struct {
	API      string          `json:"api"`
	APIToken *bool           `json:"api_token,omitempty"` // chaos proxy: whether the API needs one
	Proxy    chaos.ProxyJSON `json:"proxy"`
}

// newChaosProxiesCmd builds `rescli chaos proxies`: toxiproxy-cli's proxy
// commands (list, create, delete, toggle, reset) against a running API.
func newChaosProxiesCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "proxies",
		Example: "  rescli chaos proxies ls --api 127.0.0.1:8474\n  rescli chaos proxies create cache --listen 127.0.0.1:16380 --upstream 127.0.0.1:6380",
		Short:   "List, create, delete, enable, disable and reset the proxies of a running chaos API",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newProxiesLsCmd(g), newProxiesCreateCmd(g), newProxiesDeleteCmd(g),
		newProxiesToggleCmd(g, true), newProxiesToggleCmd(g, false), newProxiesResetCmd(g))
	return cmd
}

func newProxiesLsCmd(g *Global) *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:     "ls",
		Example: "  rescli chaos proxies ls\n  rescli chaos proxies ls -o json",
		Short:   "List proxies with their connections and fault counts",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printProxies(cmd, g, chaosClient(g, api, nil))
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return jsonDocument(cmd, schemaChaosProxies)
}

func newProxiesCreateCmd(g *Global) *cobra.Command {
	var api string
	var cfg chaos.ProxyConfig
	cmd := &cobra.Command{
		Use:     "create NAME --listen HOST:PORT --upstream HOST:PORT",
		Example: "  rescli chaos proxies create cache --listen 127.0.0.1:16380 --upstream 127.0.0.1:6380",
		Short:   "Create a proxy in front of a Redis",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.Upstream == "" {
				return usageError(cmd, fmt.Errorf("proxies create: --upstream is required"))
			}
			up, err := chaosUpstreamAddr(cfg.Upstream)
			if err != nil {
				return err
			}
			cfg.Name, cfg.Upstream = args[0], up
			c := chaosClient(g, api, nil)
			p, err := c.CreateProxy(chaosCtx(cmd), cfg)
			if err != nil {
				return chaosAPIErr(err)
			}
			return printProxy(g, c, p, "created")
		},
	}
	chaosAPIFlag(cmd, g, &api)
	cmd.Flags().StringVar(&cfg.Listen, "listen", "127.0.0.1:0", "address the proxy listens on (port 0: any free port)")
	cmd.Flags().StringVar(&cfg.Upstream, "upstream", "", "Redis address, host:port or redis:// URL")
	return jsonDocument(cmd, schemaChaosProxy)
}

func newProxiesDeleteCmd(g *Global) *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:     "delete NAME",
		Example: "  rescli chaos proxies delete cache",
		Short:   "Delete a proxy and close its connections",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := chaosClient(g, api, nil)
			if err := c.DeleteProxy(chaosCtx(cmd), args[0]); err != nil {
				return chaosAPIErr(err)
			}
			if !g.JSON() {
				fprintln(g.IO.ErrOut, "deleted proxy "+args[0])
			}
			return printProxies(cmd, g, c)
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return jsonDocument(cmd, schemaChaosProxies)
}

// newProxiesToggleCmd builds `proxies enable` or `proxies disable`.
func newProxiesToggleCmd(g *Global, enable bool) *cobra.Command {
	var api string
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	cmd := &cobra.Command{
		Use:     verb + " NAME",
		Example: "  rescli chaos proxies " + verb + " redis",
		Short:   map[bool]string{true: "Enable a proxy: it accepts connections again", false: "Disable a proxy: it refuses connections and drops the open ones"}[enable],
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := chaosClient(g, api, nil)
			p, err := c.SetEnabled(chaosCtx(cmd), args[0], enable)
			if err != nil {
				return chaosAPIErr(err)
			}
			return printProxy(g, c, p, verb+"d")
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return jsonDocument(cmd, schemaChaosProxy)
}

func newProxiesResetCmd(g *Global) *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:     "reset",
		Example: "  rescli chaos proxies reset",
		Short:   "Enable every proxy and remove every fault",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := chaosClient(g, api, nil)
			if err := c.Reset(chaosCtx(cmd)); err != nil {
				return chaosAPIErr(err)
			}
			return printProxies(cmd, g, c)
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return jsonDocument(cmd, schemaChaosProxies)
}

// printProxies lists the API's proxies: a table, or their JSON document.
func printProxies(cmd *cobra.Command, g *Global, c *chaos.Client) error {
	proxies, err := c.Proxies(chaosCtx(cmd))
	if err != nil {
		return chaosAPIErr(err)
	}
	if g.JSON() {
		return printJSON(g.IO.Out, schemaChaosProxies, chaosProxiesDoc{API: c.Addr(), Proxies: proxies})
	}
	tw := tabwriter.NewWriter(g.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLISTEN\tUPSTREAM\tENABLED\tTOXICS\tCURRENT\tPEAK\tACCEPTED\tREJECTED\tLATE p50/p99")
	for _, p := range proxies {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Name, p.Listen, p.Upstream, p.Enabled,
			len(p.Toxics), p.Stats.Current, p.Stats.Peak, p.Stats.Accepted, p.Stats.Rejected, lateCell(p.Stats.LatencyLate))
	}
	return tw.Flush()
}

// lateCell is how late a proxy's latency faults wrote what they held, as
// histogram bounds ("≤25µs/≤250µs"), or "-" before any hold ran its time.
func lateCell(l chaos.Lateness) string {
	if l.Held == 0 {
		return "-"
	}
	bound := func(us int64) string {
		if us < 0 {
			return ">100ms"
		}
		return "≤" + (time.Duration(us) * time.Microsecond).String()
	}
	return bound(l.P50Micros) + "/" + bound(l.P99Micros)
}

// printProxy says what became of one proxy, or prints its JSON document.
func printProxy(g *Global, c *chaos.Client, p chaos.ProxyJSON, what string) error {
	if g.JSON() {
		return printJSON(g.IO.Out, schemaChaosProxy, chaosProxyDoc{API: c.Addr(), Proxy: p})
	}
	fprintln(g.IO.Out, fmt.Sprintf("%s proxy %s: %s → %s, enabled %t", what, p.Name, p.Listen, p.Upstream, p.Enabled))
	return nil
}
