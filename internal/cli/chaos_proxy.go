package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
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
	apiToken string // --api-token; else env RESCLI_CHAOS_API_TOKEN
	insecure bool   // --api-insecure
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
both) and toxicity are the toxic's own, the rest are attributes.

Whoever reaches the control API can create proxies that listen on any address
and forward to any host, and inject faults. It has no token by default
(Toxiproxy has none, and its clients keep working); set one with
` + envChaosAPIToken + ` (or --api-token, whose value other users can see in
ps), and the clients send it from the same variable. An API on an address
other than loopback needs a token, or --api-insecure.

Ctrl-C, SIGTERM, SIGHUP and SIGQUIT stop the proxy and close every connection:
nothing the proxy injected outlives it. An interrupted proxy exits 128+signal.`,
		Example: `  rescli chaos proxy --listen 127.0.0.1:16379 --upstream 127.0.0.1:6379
  rescli chaos proxy --upstream 127.0.0.1:6379 --toxic latency,latency=100,jitter=10,stream=both
  rescli chaos proxy --upstream 127.0.0.1:6379 --toxic maxclients,limit=10 \
      --toxic error,error=LOADING,command=get,key=user:*,toxicity=0.1 --seed 42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signalContext(chaosCtx(cmd))
			defer stop()
			return o.run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "redis", "proxy name in the API")
	f.StringVar(&o.listen, "listen", "127.0.0.1:16379", "address the proxy listens on (port 0: any free port)")
	f.StringVar(&o.upstream, "upstream", "", "Redis address, host:port or redis:// URL (default: --redis-url, env REDIS_URL)")
	f.StringVar(&o.api, "api", "127.0.0.1:8474", `control API address ("" or "off": none)`)
	f.StringVar(&o.apiToken, "api-token", "", "token the control API requires (Authorization: Bearer); prefer env "+
		envChaosAPIToken+": a flag's value shows in ps")
	f.BoolVar(&o.insecure, "api-insecure", false, "allow the control API on a non-loopback address without a token")
	f.StringArrayVar(&o.toxics, "toxic", nil, "fault to set at start, e.g. latency,latency=100 (repeatable)")
	f.Uint64Var(&o.seed, "seed", 1, "seed for every random choice, so that a run replays")
	return jsonDocument(cmd, schemaChaosProxy)
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
	token, err := o.token()
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
	// A panic the proxy recovers is a bug: always say so on stderr.
	logger := slog.New(slog.NewTextHandler(o.g.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := chaos.NewServer(chaos.WithSeed(o.seed), chaos.WithLogger(logger))
	defer srv.Close()
	p, err := srv.CreateProxy(chaos.ProxyConfig{Name: o.name, Listen: o.listen, Upstream: upstream}, toxics...)
	if err != nil {
		if errors.Is(err, chaos.ErrUnknownType) || errors.Is(err, chaos.ErrBadAttributes) || errors.Is(err, chaos.ErrBadStream) {
			return &UsageError{Err: err}
		}
		return err
	}
	apiAddr, stopAPI, err := o.serveAPI(srv, token)
	if err != nil {
		return err
	}
	defer stopAPI()
	if err := o.announce(p, apiAddr, token != ""); err != nil {
		return err
	}
	if o.ready != nil {
		o.ready(p.Addr(), apiAddr)
	}
	<-ctx.Done()
	if o.g.Verbose {
		fmt.Fprintf(o.g.IO.ErrOut, "rescli: proxy %s stopping: %+v\n", p.Name(), p.Stats())
	}
	stopAPI()       // no fault can be added while stopping
	_ = srv.Close() // every proxy, connection and fault goroutine ended
	return interrupted(ctx)
}

// token is the control API's token: --api-token, else the environment.
func (o *chaosProxyOptions) token() (string, error) {
	token := o.apiToken
	if token == "" {
		token = o.g.Getenv(envChaosAPIToken)
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", Usagef("the control API token must not contain spaces or control characters")
	}
	return token, nil
}

// serveAPI starts the control API unless it is off; stop shuts it down
// (once; later calls do nothing). An API that listens beyond loopback
// without a token is refused unless --api-insecure, which warns.
func (o *chaosProxyOptions) serveAPI(srv *chaos.Server, token string) (addr string, stop func(), err error) {
	if o.api == "" || o.api == "off" {
		return "", func() {}, nil
	}
	l, err := net.Listen("tcp", o.api)
	if err != nil {
		return "", nil, fmt.Errorf("listen for the control API on %s: %w", o.api, err)
	}
	addr = l.Addr().String()
	if tcp, ok := l.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && token == "" {
		if !o.insecure {
			_ = l.Close()
			return "", nil, Usagef("the control API on %s would be open to anyone who reaches it: set %s (or --api-token), "+
				"listen on loopback (--api 127.0.0.1:8474), or pass --api-insecure", addr, envChaosAPIToken)
		}
		fprintln(o.g.IO.ErrOut, "rescli: warning: the control API on "+addr+" has no token: anyone who reaches it can "+
			"create proxies that listen anywhere and forward anywhere, and inject faults")
	}
	hs := &http.Server{Handler: chaos.RequireToken(token, srv.Handler()), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(l)
	}()
	stopped := false
	return addr, func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		<-done
	}, nil
}

// announce prints where the proxy and API listen: one JSON object with
// -o json, else one line.
func (o *chaosProxyOptions) announce(p *chaos.Proxy, api string, token bool) error {
	if o.g.JSON() {
		return printJSON(o.g.IO.Out, schemaChaosProxy, chaosProxyDoc{API: api, APIToken: &token,
			Proxy: chaos.ProxyJSON{Name: p.Name(), Listen: p.Addr(), Upstream: p.Upstream(), Enabled: p.Enabled(), Toxics: p.Toxics(), Stats: p.Stats()}})
	}
	line := fmt.Sprintf("proxy %s listening on %s → %s", p.Name(), p.Addr(), p.Upstream())
	if api != "" {
		line += "; control API on http://" + api
		if token {
			line += " (token required)"
		}
	}
	fprintln(o.g.IO.Out, line+"; Ctrl-C to stop")
	return nil
}
