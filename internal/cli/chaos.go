package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/target"
)

// envChaosAPI names the variable that gives the control API's address.
const envChaosAPI = "RESCLI_CHAOS_API"

// envChaosAPIToken names the variable that holds the control API's token:
// `chaos proxy` requires it, the client commands send it.
const envChaosAPIToken = "RESCLI_CHAOS_API_TOKEN"

// NewChaosCmd builds `rescli chaos`.
func NewChaosCmd(g *Global) *cobra.Command {
	var types strings.Builder
	for _, t := range chaos.Types() {
		types.WriteString("\n  " + chaos.Describe(t))
	}
	cmd := &cobra.Command{
		Use: "chaos",
		Example: `  rescli chaos proxy --upstream 127.0.0.1:6379 --toxic latency,latency=100
  rescli chaos toxic add redis -t timeout -s both
  rescli chaos inject maxclients 50 --duration 30s --allow 127.0.0.1 --redis-url redis://127.0.0.1:6379
  rescli chaos run testdata/scenarios/latency-spike.yaml`,
		Short: "Inject faults between Redis clients and Redis",
		Long: `Inject faults between Redis clients and Redis with a fault-injection proxy.

'rescli chaos proxy' runs the proxy and its control API; 'toxic' and 'proxies'
talk to that API (its routes follow Toxiproxy's, so toxiproxy-cli and Toxiproxy's
clients work too). 'inject' and 'revert' act on the Redis server itself; 'run'
plays a scenario file. Times are in milliseconds, slicer's delay in microseconds,
bandwidth's rate in KB/s; error presets: ` + strings.Join(chaos.ErrorPresets(), ", ") + `.

Fault types, where they act, and their attributes:` + types.String(),
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newChaosProxyCmd(g), newChaosToxicCmd(g), newChaosProxiesCmd(g),
		newChaosInjectCmd(g), newChaosRevertCmd(g), newChaosRunCmd(g)) // the last three: chaos_inject.go, chaos_run.go
	return cmd
}

// chaosAPIFlag adds --api to cmd, defaulting to RESCLI_CHAOS_API.
func chaosAPIFlag(cmd *cobra.Command, g *Global, dst *string) {
	def := g.Getenv(envChaosAPI)
	if def == "" {
		def = "127.0.0.1:8474"
	}
	cmd.Flags().StringVar(dst, "api", def, "address of the chaos control API (env "+envChaosAPI+
		"; its token, if it needs one, from env "+envChaosAPIToken+")")
}

// chaosClient is a client of the control API at api that sends the token
// from the environment, if any.
func chaosClient(g *Global, api string, hc *http.Client) *chaos.Client {
	return chaos.NewClient(api, hc).WithToken(g.Getenv(envChaosAPIToken))
}

// chaosAPIErr adds to the error of an API that did not answer where rescli
// looked and how to point it elsewhere.
func chaosAPIErr(err error) error {
	if errors.Is(err, chaos.ErrAPIUnreachable) {
		return fmt.Errorf("%w; start one with 'rescli chaos proxy', or give its address with --api or %s", err, envChaosAPI)
	}
	return err
}

// chaosUpstreamAddr accepts host:port or a one-server Redis URL and returns
// host:port.
func chaosUpstreamAddr(s string) (string, error) {
	if !strings.Contains(s, "://") {
		return s, nil
	}
	t, err := target.Parse(s)
	if err != nil {
		return "", &UsageError{Err: err}
	}
	if t.Kind != target.Standalone {
		return "", Usagef("a proxy stands in front of one server: give its host:port, not %s (chaos run and watch --chaos put a proxy in front of every node of a deployment)", t)
	}
	return t.Addrs[0], nil
}

// chaosPrintToxics writes toxics as a table: proxy, name, type, stream,
// toxicity, injected, attributes.
func chaosPrintToxics(g *Global, rows map[string][]chaos.Toxic, order []string) error {
	tw := tabwriter.NewWriter(g.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROXY\tNAME\tTYPE\tSTREAM\tTOXICITY\tINJECTED\tATTRIBUTES")
	for _, proxy := range order {
		for _, t := range rows[proxy] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%g\t%d\t%s\n", proxy, t.Name, t.Type, t.Stream, t.Toxicity, t.Injected, chaosAttrs(t.Attributes))
		}
	}
	return tw.Flush()
}

func chaosAttrs(a chaos.Attributes) string {
	b, _ := json.Marshal(a)
	return string(b)
}
