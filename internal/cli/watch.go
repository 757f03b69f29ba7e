package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/tui"
)

// watchOptions are `rescli watch`'s flags.
type watchOptions struct {
	g *Global

	urls     []string // watch's own repeatable --redis-url
	contexts []string // watch's own repeatable --context

	rate     float64       // probe commands per second
	refresh  time.Duration // screen refresh and sampling
	server   time.Duration // INFO interval per node; 0: no server panel
	summary  time.Duration // non-TTY summary line interval
	duration time.Duration // stop after; 0 until interrupted
	chaos    bool

	failures   int
	openWait   time.Duration
	maxOpen    time.Duration
	timeout    time.Duration
	services   []string
	token      string
	forcePlain bool
}

// NewWatchCmd builds `rescli watch`.
func NewWatchCmd(g *Global) *cobra.Command {
	o := &watchOptions{g: g}
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Watch circuit breakers live: state, transitions, rate, errors, latency, pool",
		Long: `Watch circuit breakers live, for on-call, beside what Redis itself says.

With a Redis target (--redis-url, REDIS_URL, a context, or an embedded Redis when none
is given) rescli sends its own light probe traffic (--rate PINGs per second, one at a
time) through a resilient manager and shows that manager's breaker: its state (CLOSED,
OPEN, HALF_OPEN), time in state, trips, next probe, every transition with its reason,
request rate and error share over a rolling 10 s with sparklines, latency p50/p90/p99,
pool, retries and fallbacks. The breaker's timings are short by default (--open-timeout
5s) so that recovery is visible in seconds.

Beside it, the server panel: what each node says of itself, read over one kept-open
connection per node (never through the chaos proxies), one INFO per node per
--server-interval (1s) and LATENCY LATEST and SLOWLOG GET every fifth: connected and
blocked clients, rejected connections as a rate since watch started (the
thundering-herd signal), ops/s, hit ratio, memory against maxmemory and evictions, role
and replication lag, the latest latency spikes and the slowest commands. A command the
user may not run shows "n/a (NOPERM)" once and is not asked again. A Sentinel target
names the master now and when it last changed; a Cluster target has a row per node
with that node's own breaker.

Many targets at once: --redis-url, --service and --context are repeatable (here, unlike
the global --redis-url and --context, which take one). The screen opens on an overview,
a row per target with its state and key figures; enter drills into one, esc comes back,
/ filters. With a single target it opens on that target.

--chaos puts an in-process fault-injection proxy in front of every data node of the
(one) Redis target, and the probe reaches each node through its proxy, also after a
redirect or a failover; f opens a fault menu (latency, blackhole, reset, down,
maxclients, LOADING, restart, clear all) that asks before it injects, on every node at
once. Quitting removes every fault, also on Ctrl-C, SIGTERM, SIGHUP and SIGQUIT.

With --service URL it polls running services' /health/redis and /health/services and
shows one row per service (--token, a context's token, or RESCLI_ADMIN_TOKEN for their
admin endpoints).

Keys: ? help, p pause (data is still collected), / filter, enter drills into a target,
esc back to every target, f faults, q quit.
When stdout is not a terminal there is no TUI: one line per transition, a summary line
per target every --summary and, with it, a line per node of what the server said; or
NDJSON events with -o json (start, transition, summary, server).

With -v, go-redis's own log lines (a failed dial, say), redacted, go to a log pane
under the transitions while the TUI runs, never over it; repeats are counted (×12). To
keep every line, send stderr to a file (2>>watch.log): they then go there too. Without
a TUI they go to stderr as with every command.`,
		Example: `  rescli watch
  rescli watch --redis-url redis://127.0.0.1:6379 --chaos
  rescli watch --redis-url redis://10.0.0.5:6379 --redis-url redis+cluster://10.0.1.1:7000
  rescli watch --context prod-eu --context prod-us
  rescli watch --service http://127.0.0.1:8080 --service http://127.0.0.1:8081 --token $RESCLI_ADMIN_TOKEN
  rescli watch -o json --duration 1m | tee watch.ndjson
  rescli watch -v --redis-url redis://127.0.0.1:6379 2>>watch.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	f := cmd.Flags()
	// Watch's own --redis-url and --context shadow the global ones: watch
	// takes several of each, every other command one.
	f.StringArrayVar(&o.urls, "redis-url", nil, "Redis target to watch (repeatable; every URL form the global --redis-url takes; default: env REDIS_URL, the context's, or an embedded Redis)")
	f.StringArrayVar(&o.contexts, "context", nil, "context of the config file whose target and services to watch (repeatable; default: env "+envContext+" or the file's current-context)")
	_ = cmd.RegisterFlagCompletionFunc("context", completeContexts(g))
	f.Float64Var(&o.rate, "rate", 5, "probe commands (PING) per second against a Redis target; one at a time")
	f.DurationVar(&o.refresh, "refresh", time.Second, "how often the screen is refreshed and services are polled")
	f.DurationVar(&o.server, "server-interval", time.Second, "how often each node's INFO is read for the server panel (at least 1s; 0 turns the panel off); LATENCY LATEST and SLOWLOG GET every 5 intervals")
	f.DurationVar(&o.summary, "summary", 10*time.Second, "summary line interval when stdout is not a terminal")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long (default: until q, Ctrl-C or SIGTERM)")
	f.BoolVar(&o.chaos, "chaos", false, "put an in-process fault proxy in front of every node of the target; f injects faults")
	f.IntVar(&o.failures, "failure-threshold", 5, "consecutive probe failures that open the breaker")
	f.DurationVar(&o.openWait, "open-timeout", 5*time.Second, "first wait of an open breaker before it probes")
	f.DurationVar(&o.maxOpen, "max-open-timeout", 30*time.Second, "cap of the open wait, which grows while probes fail")
	f.DurationVar(&o.timeout, "timeout", time.Second, "dial, read and write timeout of one probe")
	f.StringArrayVar(&o.services, "service", nil, "base URL of a running service to watch through its health endpoints (repeatable)")
	f.StringVar(&o.token, "token", "", "admin token for the services' /health/* endpoints (env "+envAdminToken+")")
	f.BoolVar(&o.forcePlain, "plain", false, "print plain lines even when stdout is a terminal")
	return jsonStream(cmd, schemaWatchEvent)
}

func (o *watchOptions) validate() error {
	switch {
	case o.rate <= 0 || o.rate > 1000:
		return Usagef("--rate must be in (0, 1000] probes per second")
	case o.refresh < 10*time.Millisecond:
		return Usagef("--refresh must be at least 10ms")
	case o.summary <= 0:
		return Usagef("--summary must be positive")
	case o.failures < 1:
		return Usagef("--failure-threshold must be at least 1")
	case o.openWait <= 0 || o.maxOpen < o.openWait:
		return Usagef("--open-timeout must be positive and at most --max-open-timeout")
	case o.timeout <= 0:
		return Usagef("--timeout must be positive")
	case o.server != 0 && o.server < redisstat.MinEvery:
		return Usagef("--server-interval must be at least %s (or 0 to turn the server panel off)", redisstat.MinEvery)
	}
	return nil
}

func (o *watchOptions) run(ctx context.Context) error {
	if err := o.validate(); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	tty := o.useTUI()
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	// The TUI gets Ctrl-C as a key and SIGTERM through bubbletea, so it
	// listens here only for a hang-up (terminal closed) and SIGQUIT; plain
	// mode listens for every termination signal. Both end through ctx, so
	// cleanup still runs.
	sigs := terminationSignals
	if tty {
		sigs = []os.Signal{syscall.SIGHUP, syscall.SIGQUIT}
	}
	ctx, stop := signalContext(ctx, sigs...)
	defer stop()
	var logs <-chan tui.LogMsg
	if tty {
		var stopLogs func()
		logs, stopLogs = o.captureLogs()
		defer stopLogs() // deferred first, so it runs after src.close: no line reaches the restored screen
	}
	src, err := o.openSource()
	if err != nil {
		return err
	}
	defer src.close() // removes every fault, then closes the manager and proxy
	if tty {
		err = o.runTUI(ctx, src, logs)
	} else {
		err = o.runPlain(ctx, src)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// useTUI: a terminal on stdout, no JSON and no --plain.
func (o *watchOptions) useTUI() bool {
	if o.forcePlain || o.g.JSON() {
		return false
	}
	return isTerminal(o.g.IO.Out)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openSource starts a source per Redis target and one for the services.
func (o *watchOptions) openSource() (_ watchSource, err error) {
	p, err := o.plan()
	if err != nil {
		return nil, err
	}
	switch {
	case o.chaos && len(p.redis) == 0:
		return nil, Usagef("--chaos works on a Redis target, not on --service alone")
	case o.chaos && len(p.redis) > 1:
		return nil, Usagef("--chaos works on one Redis target at a time; %d were given", len(p.redis))
	}
	var m watchMulti
	defer func() {
		if err != nil {
			m.close()
		}
	}()
	for _, r := range p.redis {
		src, err := newWatchRedis(o, r)
		if err != nil {
			return nil, err
		}
		m.sources = append(m.sources, src)
	}
	if len(p.services) > 0 {
		m.sources = append(m.sources, newWatchServices(o, p.services))
	}
	if len(m.sources) == 1 {
		return m.sources[0], nil
	}
	return &m, nil
}
