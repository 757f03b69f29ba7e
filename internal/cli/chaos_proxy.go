package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos"
)

// chaosProxyOptions are `rescli chaos proxy`'s flags.
type chaosProxyOptions struct {
	g        *Global
	name     string
	listen   string
	upstream string
	api      string
	toxics   []string
	seed     uint64
	// ready is called once the proxy and API listen (tests wait on it).
	ready func(proxy, api string)
}

func newChaosProxyCmd(g *Global) *cobra.Command {
	o := &chaosProxyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Run a fault-injection proxy in front of Redis until Ctrl-C",
		Long: `Run a fault-injection proxy in front of Redis until Ctrl-C, with a control API.

Faults given with --toxic are set before the first connection is accepted. A
toxic is its type then key=value pairs; name, stream (upstream, downstream,
both) and toxicity are the toxic's own, the rest are attributes.`,
		Example: `  rescli chaos proxy --listen 127.0.0.1:16379 --upstream 127.0.0.1:6379
  rescli chaos proxy --upstream 127.0.0.1:6379 --toxic latency,latency=100,jitter=10,stream=both
  rescli chaos proxy --upstream 127.0.0.1:6379 --toxic maxclients,limit=10 \
      --toxic error,error=LOADING,command=get,key=user:*,toxicity=0.1 --seed 42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return o.run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "redis", "proxy name in the API")
	f.StringVar(&o.listen, "listen", "127.0.0.1:16379", "address the proxy listens on (port 0: any free port)")
	f.StringVar(&o.upstream, "upstream", "", "Redis address, host:port or redis:// URL (default: --redis-url, env REDIS_URL)")
	f.StringVar(&o.api, "api", "127.0.0.1:8474", `control API address ("" or "off": none)`)
	f.StringArrayVar(&o.toxics, "toxic", nil, "fault to set at start, e.g. latency,latency=100 (repeatable)")
	f.Uint64Var(&o.seed, "seed", 1, "seed for every random choice, so that a run replays")
	return cmd
}

func (o *chaosProxyOptions) run(ctx context.Context) error {
	if o.upstream == "" {
		o.upstream = o.g.RedisURL
	}
	if o.upstream == "" {
		return Usagef("--upstream is required (or --redis-url / REDIS_URL)")
	}
	upstream, err := chaosUpstreamAddr(o.upstream)
	if err != nil {
		return err
	}
	var toxics []chaos.Toxic
	for _, spec := range o.toxics {
		t, err := chaos.ParseToxic(spec)
		if err != nil {
			return &UsageError{Err: err}
		}
		toxics = append(toxics, t)
	}
	srv := chaos.NewServer(chaos.WithSeed(o.seed))
	defer srv.Close()
	p, err := srv.CreateProxy(chaos.ProxyConfig{Name: o.name, Listen: o.listen, Upstream: upstream}, toxics...)
	if err != nil {
		if errors.Is(err, chaos.ErrUnknownType) || errors.Is(err, chaos.ErrBadAttributes) || errors.Is(err, chaos.ErrBadStream) {
			return &UsageError{Err: err}
		}
		return err
	}
	apiAddr, stopAPI, err := o.serveAPI(srv)
	if err != nil {
		return err
	}
	defer stopAPI()
	if err := o.announce(p, apiAddr); err != nil {
		return err
	}
	if o.ready != nil {
		o.ready(p.Addr(), apiAddr)
	}
	<-ctx.Done()
	if o.g.Verbose {
		fmt.Fprintf(o.g.IO.ErrOut, "rescli: proxy %s stopping: %+v\n", p.Name(), p.Stats())
	}
	return nil
}

// serveAPI starts the control API unless it is off; stop shuts it down.
func (o *chaosProxyOptions) serveAPI(srv *chaos.Server) (addr string, stop func(), err error) {
	if o.api == "" || o.api == "off" {
		return "", func() {}, nil
	}
	l, err := net.Listen("tcp", o.api)
	if err != nil {
		return "", nil, fmt.Errorf("listen for the control API on %s: %w", o.api, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(l)
	}()
	return l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		<-done
	}, nil
}

// announce prints where the proxy and API listen: one JSON object with
// -o json, else one line.
func (o *chaosProxyOptions) announce(p *chaos.Proxy, api string) error {
	if o.g.JSON() {
		return chaosJSON(o.g, map[string]any{"name": p.Name(), "listen": p.Addr(), "upstream": p.Upstream(),
			"api": api, "toxics": p.Toxics()})
	}
	line := fmt.Sprintf("proxy %s listening on %s → %s", p.Name(), p.Addr(), p.Upstream())
	if api != "" {
		line += "; control API on http://" + api
	}
	fprintln(o.g.IO.Out, line+"; Ctrl-C to stop")
	return nil
}
