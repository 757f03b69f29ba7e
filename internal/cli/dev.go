package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redistest"
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
	return &cobra.Command{
		Use:   "dev cluster|sentinel",
		Short: "Start a local Redis Cluster or Sentinel deployment until Ctrl-C",
		Long: `Start a throw-away deployment on free 127.0.0.1 ports from the installed redis-server,
redis-sentinel and redis-cli, print its URL, and tear it down on Ctrl-C or SIGTERM.

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
	}
}

func (o *devOptions) run(ctx context.Context, kind string) (err error) {
	if kind != "cluster" && kind != "sentinel" {
		return Usagef("dev takes cluster or sentinel, got %q", kind)
	}
	base, err := os.MkdirTemp("", "rescli-dev-")
	if err != nil {
		return fmt.Errorf("create a directory for the nodes: %w", err)
	}
	h := &devHarness{dir: base}
	defer h.teardown()
	fmt.Fprintf(o.g.IO.ErrOut, "starting %s in %s ...\n", kind, base)
	rep, err := h.start(kind, devnode.Dir(o.g.Getenv))
	if err != nil {
		return err
	}
	if o.g.JSON() {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(o.g.IO.Out, string(b))
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

// devHarness gives the test helpers' deployments a life outside tests:
// it is their redistest.T, and runs their cleanups at teardown.
type devHarness struct {
	dir      string
	n        int
	cleanups []func()
}

type devFailure string

func (h *devHarness) Helper()                        {}
func (h *devHarness) Fatalf(format string, a ...any) { panic(devFailure(fmt.Sprintf(format, a...))) }
func (h *devHarness) Skip(a ...any)                  { panic(devFailure(fmt.Sprint(a...))) }
func (h *devHarness) Cleanup(f func())               { h.cleanups = append(h.cleanups, f) }

func (h *devHarness) TempDir() string {
	h.n++
	p := filepath.Join(h.dir, fmt.Sprintf("node%d", h.n))
	if err := os.MkdirAll(p, 0o700); err != nil {
		h.Fatalf("create %s: %v", p, err)
	}
	return p
}

// start builds the deployment; a helper's Fatalf becomes the error.
func (h *devHarness) start(kind, registry string) (rep devReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(devFailure)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("start %s: %s", kind, string(f))
		}
	}()
	rep.Kind = kind
	var nodes []*redistest.Server
	if kind == "cluster" {
		c := redistest.StartCluster(h)
		rep.URL, nodes = c.URL(), c.Nodes
	} else {
		d := redistest.StartSentinel(h)
		rep.URL, nodes = d.URL(), append([]*redistest.Server{d.Master, d.Replica}, d.Sentinels...)
	}
	for _, n := range nodes {
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

func (h *devHarness) teardown() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	_ = os.RemoveAll(h.dir)
}
