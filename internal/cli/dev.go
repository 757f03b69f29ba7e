package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/localredis"
)

type devOptions struct {
	g *Global
	// started, if set, is called once the deployment is up (tests).
	started func(devReport)
}

// devReport is what `rescli dev` prints.
type devReport struct {
	Kind  string    `json:"kind"`
	URL   string    `json:"url"`
	Nodes []devNode `json:"nodes"`
}

type devNode struct {
	Addr string `json:"addr"`
	Role string `json:"role"`
}

// NewDevCmd builds `rescli dev cluster|sentinel`.
func NewDevCmd(g *Global) *cobra.Command {
	o := &devOptions{g: g}
	return jsonDocument(&cobra.Command{
		Use:   "dev cluster|sentinel",
		Short: "Start a local Redis Cluster or Sentinel deployment until Ctrl-C",
		Long: `Start a throw-away deployment on free 127.0.0.1 ports from the installed redis-server,
redis-sentinel and redis-cli, print its URL (with -o json, one document: schema rescli.dev/v1),
and tear it down on Ctrl-C, SIGTERM, SIGHUP or SIGQUIT (exit 0: a signal is how it ends).

  cluster   3 masters and 3 replicas (cluster-node-timeout 2000), URL redis+cluster://...
  sentinel  a master, a replica and 3 Sentinels (quorum 2, down-after-milliseconds 1000),
            URL redis+sentinel://.../mymaster

Its nodes are registered under dev-nodes in the rescli state directory ($RESCLI_STATE_DIR,
else $XDG_STATE_HOME/rescli, else ~/.local/state/rescli), so 'rescli chaos inject kill-node'
may kill (and later restart) them; nothing else is.`,
		Example: `  rescli dev cluster
  REDIS_URL=redis+cluster://127.0.0.1:30001,... rescli verify`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"cluster", "sentinel"},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			return o.run(ctx, args[0])
		},
	}, schemaDev)
}

func (o *devOptions) run(ctx context.Context, kind string) (err error) {
	if kind != "cluster" && kind != "sentinel" {
		return Usagef("dev takes cluster or sentinel, got %q", kind)
	}
	base, err := os.MkdirTemp("", "rescli-dev-")
	if err != nil {
		return fmt.Errorf("create a directory for the nodes: %w", err)
	}
	defer os.RemoveAll(base)
	fmt.Fprintf(o.g.IO.ErrOut, "starting %s in %s ...\n", kind, base)
	d, err := startDev(kind, base)
	if err != nil {
		return fmt.Errorf("start %s: %w", kind, err)
	}
	defer d.close()
	registry := devnode.Dir(o.g.Getenv)
	defer d.deregister(registry)
	rep, err := d.register(registry)
	if err != nil {
		return err
	}
	if o.g.JSON() {
		if err := printJSON(o.g.IO.Out, schemaDev, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.g.IO.Out, "REDIS_URL=%s\n", rep.URL)
		for _, n := range rep.Nodes {
			fmt.Fprintf(o.g.IO.Out, "  %-9s %s\n", n.Role, n.Addr)
		}
	}
	fmt.Fprintln(o.g.IO.ErrOut, "running; Ctrl-C stops and removes it")
	if o.started != nil {
		o.started(rep)
	}
	<-ctx.Done()
	fmt.Fprintln(o.g.IO.ErrOut, "stopping")
	return nil
}

// devDeployment is a running Cluster or Sentinel deployment.
type devDeployment struct {
	kind  string
	url   string
	nodes []*localredis.Server
	close func() // kills every node
}

func startDev(kind, dir string) (*devDeployment, error) {
	if kind == "cluster" {
		c, err := localredis.StartCluster(dir)
		if err != nil {
			return nil, err
		}
		return &devDeployment{kind: kind, url: c.URL(), nodes: c.Nodes, close: c.Close}, nil
	}
	s, err := localredis.StartSentinel(dir)
	if err != nil {
		return nil, err
	}
	nodes := append([]*localredis.Server{s.Master, s.Replica}, s.Sentinels...)
	return &devDeployment{kind: kind, url: s.URL(), nodes: nodes, close: s.Close}, nil
}

// register records every node under registry, so that chaos inject
// kill-node may kill it, and reports each node's role.
func (d *devDeployment) register(registry string) (devReport, error) {
	rep := devReport{Kind: d.kind, URL: d.url}
	for _, n := range d.nodes {
		role := n.Info("role")
		switch role {
		case "slave":
			role = "replica"
		case "": // Sentinels have no role field
			role = "sentinel"
		}
		rep.Nodes = append(rep.Nodes, devNode{Addr: n.Addr, Role: role})
		if err := n.Register(registry); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// deregister removes the records, and kills any node kill-node restarted
// as a process of its own, before close kills the nodes rescli started.
func (d *devDeployment) deregister(registry string) {
	for i := len(d.nodes) - 1; i >= 0; i-- {
		d.nodes[i].Deregister(registry)
	}
}
