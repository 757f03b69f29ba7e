package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos"
)

// chaosToxicOptions are the flags of `rescli chaos toxic add|update|rm|ls`.
type chaosToxicOptions struct {
	g        *Global
	api      string
	name     string
	typ      string
	stream   string
	toxicity float32
	attrs    []string
}

func newChaosToxicCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "toxic",
		Example: "  rescli chaos toxic add redis -t latency -a latency=100\n  rescli chaos toxic ls redis\n  rescli chaos toxic rm redis -n latency_downstream",
		Short:   "Add, change, remove and list faults on a running chaos proxy",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newToxicAddCmd(g), newToxicUpdateCmd(g), newToxicRmCmd(g), newToxicLsCmd(g))
	return cmd
}

func newToxicAddCmd(g *Global) *cobra.Command {
	o := &chaosToxicOptions{g: g}
	cmd := &cobra.Command{
		Use:   "add PROXY -t TYPE [-a key=value]...",
		Short: "Set a fault on a proxy",
		Example: `  rescli chaos toxic add redis -t latency -a latency=100 -a jitter=10
  rescli chaos toxic add redis -t error -a error=LOADING -a command=get --toxicity 0.1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.add(cmd, args[0]) },
	}
	o.flags(cmd, true)
	return jsonDocument(cmd, schemaChaosToxic)
}

func newToxicUpdateCmd(g *Global) *cobra.Command {
	o := &chaosToxicOptions{g: g}
	cmd := &cobra.Command{
		Use:     "update PROXY -n NAME [-a key=value]... [--toxicity F]",
		Example: "  rescli chaos toxic update redis -n latency_downstream -a latency=500\n  rescli chaos toxic update redis -n error --toxicity 0.5",
		Short:   "Change a fault's attributes or toxicity",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return o.update(cmd, args[0]) },
	}
	o.flags(cmd, false)
	return jsonDocument(cmd, schemaChaosToxic)
}

func newToxicRmCmd(g *Global) *cobra.Command {
	o := &chaosToxicOptions{g: g}
	cmd := &cobra.Command{
		Use:     "rm PROXY -n NAME",
		Example: "  rescli chaos toxic rm redis -n latency_downstream",
		Short:   "Remove a fault",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.name == "" {
				return usageError(cmd, fmt.Errorf("toxic rm: --name is required"))
			}
			c := chaosClient(o.g, o.api, nil)
			if err := c.RemoveToxic(chaosCtx(cmd), args[0], o.name); err != nil {
				return chaosAPIErr(err)
			}
			if !g.JSON() {
				fprintln(g.IO.Out, "removed toxic "+o.name+" from "+args[0])
				return nil
			}
			return listToxics(cmd, g, c, args[0])
		},
	}
	chaosAPIFlag(cmd, g, &o.api)
	cmd.Flags().StringVarP(&o.name, "name", "n", "", "name of the fault (see rescli chaos toxic ls)")
	return jsonDocument(cmd, schemaChaosToxics)
}

func (o *chaosToxicOptions) flags(cmd *cobra.Command, add bool) {
	chaosAPIFlag(cmd, o.g, &o.api)
	f := cmd.Flags()
	f.StringVarP(&o.name, "name", "n", "", "name of the fault (add: default TYPE_STREAM for a byte fault, e.g. latency_downstream; TYPE for a Redis-level or proxy-wide one, e.g. error)")
	f.StringArrayVarP(&o.attrs, "attribute", "a", nil, "attribute key=value (repeatable)")
	f.Float32Var(&o.toxicity, "toxicity", 1, "probability the fault applies: per connection for byte faults, per request for Redis faults")
	if add {
		f.StringVarP(&o.typ, "type", "t", "", "fault type: "+strings.Join(chaos.Types(), ", "))
		f.StringVarP(&o.stream, "stream", "s", "downstream", "direction of a byte fault: upstream, downstream or both")
	}
}

func (o *chaosToxicOptions) attributes() (chaos.Attributes, error) {
	spec := "x"
	for _, a := range o.attrs {
		spec += "," + a
	}
	t, err := chaos.ParseToxic(spec)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("bad --attribute: %w", err)}
	}
	return t.Attributes, nil
}

func (o *chaosToxicOptions) add(cmd *cobra.Command, proxy string) error {
	if o.typ == "" {
		return usageError(cmd, fmt.Errorf("toxic add: --type is required (one of %s)", strings.Join(chaos.Types(), ", ")))
	}
	attrs, err := o.attributes()
	if err != nil {
		return err
	}
	t, err := chaosClient(o.g, o.api, nil).AddToxic(chaosCtx(cmd), proxy,
		chaos.Toxic{Name: o.name, Type: o.typ, Stream: o.stream, Toxicity: o.toxicity, Attributes: attrs})
	if err != nil {
		return chaosAPIErr(err)
	}
	return o.printOne(proxy, t)
}

func (o *chaosToxicOptions) update(cmd *cobra.Command, proxy string) error {
	if o.name == "" {
		return usageError(cmd, fmt.Errorf("toxic update: --name is required (the name toxic add gave: see rescli chaos toxic ls)"))
	}
	attrs, err := o.attributes()
	if err != nil {
		return err
	}
	var toxicity *float32
	if cmd.Flags().Changed("toxicity") {
		toxicity = &o.toxicity
	}
	t, err := chaosClient(o.g, o.api, nil).UpdateToxic(chaosCtx(cmd), proxy, o.name, toxicity, attrs)
	if err != nil {
		return chaosAPIErr(err)
	}
	return o.printOne(proxy, t)
}

// chaosToxicDoc is the JSON of one fault: what `toxic add` and `update`
// print.
type chaosToxicDoc struct {
	API   string      `json:"api"`
	Proxy string      `json:"proxy"`
	Toxic chaos.Toxic `json:"toxic"`
}

// chaosToxicsDoc is the JSON of `toxic ls` (and of `toxic rm`: what is
// left): every fault, each with its proxy.
type chaosToxicsDoc struct {
	API    string          `json:"api"`
	Toxics []chaosToxicRow `json:"toxics"`
}

// chaosToxicRow is a fault with its proxy. Its fields are spelled out:
// embedding chaos.Toxic would bring in its UnmarshalJSON and lose Proxy.
type chaosToxicRow struct {
	Proxy      string           `json:"proxy"`
	Name       string           `json:"name"`
	Type       string           `json:"type"`
	Stream     string           `json:"stream"`
	Toxicity   float32          `json:"toxicity"`
	Attributes chaos.Attributes `json:"attributes"`
	Injected   int64            `json:"injected"`
}

func (o *chaosToxicOptions) printOne(proxy string, t chaos.Toxic) error {
	if o.g.JSON() {
		return printJSON(o.g.IO.Out, schemaChaosToxic, chaosToxicDoc{API: chaosClient(o.g, o.api, nil).Addr(), Proxy: proxy, Toxic: t})
	}
	return chaosPrintToxics(o.g, map[string][]chaos.Toxic{proxy: {t}}, []string{proxy})
}

// listToxics prints the faults of proxy ("": every proxy's).
func listToxics(cmd *cobra.Command, g *Global, c *chaos.Client, proxy string) error {
	proxies, err := c.Proxies(chaosCtx(cmd))
	if err != nil {
		return chaosAPIErr(err)
	}
	rows, order := map[string][]chaos.Toxic{}, []string{}
	doc := chaosToxicsDoc{API: c.Addr(), Toxics: []chaosToxicRow{}}
	for _, p := range proxies {
		if proxy != "" && p.Name != proxy {
			continue
		}
		rows[p.Name], order = p.Toxics, append(order, p.Name)
		for _, t := range p.Toxics {
			doc.Toxics = append(doc.Toxics, chaosToxicRow{Proxy: p.Name, Name: t.Name, Type: t.Type, Stream: t.Stream,
				Toxicity: t.Toxicity, Attributes: t.Attributes, Injected: t.Injected})
		}
	}
	if proxy != "" && len(order) == 0 {
		return fmt.Errorf("list toxics of %s: %w (see rescli chaos proxies ls)", proxy, chaos.ErrProxyNotFound)
	}
	if g.JSON() {
		return printJSON(g.IO.Out, schemaChaosToxics, doc)
	}
	return chaosPrintToxics(g, rows, order)
}

func newToxicLsCmd(g *Global) *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:     "ls [PROXY]",
		Example: "  rescli chaos toxic ls\n  rescli chaos toxic ls redis -o json",
		Short:   "List the faults of one proxy or of all",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			proxy := ""
			if len(args) == 1 {
				proxy = args[0]
			}
			return listToxics(cmd, g, chaosClient(g, api, nil), proxy)
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return jsonDocument(cmd, schemaChaosToxics)
}

// chaosCtx is cmd's context, or the background one for a command run
// without one.
func chaosCtx(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
