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
	return cmd
}

func newToxicUpdateCmd(g *Global) *cobra.Command {
	o := &chaosToxicOptions{g: g}
	cmd := &cobra.Command{
		Use:     "update PROXY -n NAME [-a key=value]... [--toxicity F]",
		Example: "  rescli chaos toxic update redis -n latency_downstream -a latency=500\n  rescli chaos toxic update redis -n error_downstream --toxicity 0.5",
		Short:   "Change a fault's attributes or toxicity",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return o.update(cmd, args[0]) },
	}
	o.flags(cmd, false)
	return cmd
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
				return Usagef("--name is required")
			}
			if err := chaosClient(o.g, o.api, nil).RemoveToxic(chaosCtx(cmd), args[0], o.name); err != nil {
				return err
			}
			if g.JSON() {
				return chaosJSON(g, map[string]any{"proxy": args[0], "toxic": o.name, "removed": true})
			}
			fprintln(g.IO.Out, "removed toxic "+o.name+" from "+args[0])
			return nil
		},
	}
	chaosAPIFlag(cmd, g, &o.api)
	cmd.Flags().StringVarP(&o.name, "name", "n", "", "name of the fault")
	return cmd
}

func (o *chaosToxicOptions) flags(cmd *cobra.Command, add bool) {
	chaosAPIFlag(cmd, o.g, &o.api)
	f := cmd.Flags()
	f.StringVarP(&o.name, "name", "n", "", "name of the fault (add: default TYPE_STREAM)")
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
		return Usagef("--type is required (one of %s)", strings.Join(chaos.Types(), ", "))
	}
	attrs, err := o.attributes()
	if err != nil {
		return err
	}
	t, err := chaosClient(o.g, o.api, nil).AddToxic(chaosCtx(cmd), proxy,
		chaos.Toxic{Name: o.name, Type: o.typ, Stream: o.stream, Toxicity: o.toxicity, Attributes: attrs})
	if err != nil {
		return err
	}
	return o.printOne(proxy, t)
}

func (o *chaosToxicOptions) update(cmd *cobra.Command, proxy string) error {
	if o.name == "" {
		return Usagef("--name is required")
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
		return err
	}
	return o.printOne(proxy, t)
}

func (o *chaosToxicOptions) printOne(proxy string, t chaos.Toxic) error {
	if o.g.JSON() {
		return chaosJSON(o.g, t)
	}
	return chaosPrintToxics(o.g, map[string][]chaos.Toxic{proxy: {t}}, []string{proxy})
}

func newToxicLsCmd(g *Global) *cobra.Command {
	var api string
	cmd := &cobra.Command{
		Use:     "ls [PROXY]",
		Example: "  rescli chaos toxic ls\n  rescli chaos toxic ls redis -o json",
		Short:   "List the faults of one proxy or of all",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			proxies, err := chaosClient(g, api, nil).Proxies(chaosCtx(cmd))
			if err != nil {
				return err
			}
			rows, order := map[string][]chaos.Toxic{}, []string{}
			for _, p := range proxies {
				if len(args) == 1 && p.Name != args[0] {
					continue
				}
				rows[p.Name], order = p.Toxics, append(order, p.Name)
			}
			if len(args) == 1 && len(order) == 0 {
				return fmt.Errorf("list toxics of %s: %w", args[0], chaos.ErrProxyNotFound)
			}
			if g.JSON() {
				return chaosJSON(g, rows)
			}
			return chaosPrintToxics(g, rows, order)
		},
	}
	chaosAPIFlag(cmd, g, &api)
	return cmd
}

// chaosCtx is cmd's context, or the background one for a command run
// without one.
func chaosCtx(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
