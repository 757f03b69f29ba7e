package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/target"
)

// Options configure a verification run. Zero values mean defaults.
type Options struct {
	RedisURL string
	Services []string
	Token    string // admin token for the services' /health/* endpoints
	Only     []string
	Skip     []string

	Pings       int           // PINGs for the latency check (default 100)
	LatencyWarn time.Duration // p99 above this warns (default 10ms)
	LatencyFail time.Duration // p99 above this fails (default 100ms)
	// Role says what the target is for: "cache" expects an allkeys-*
	// eviction policy, "store" expects noeviction and persistence; "" only
	// reports them.
	Role string
	// HerdServices is the managed herd's size (default 20).
	HerdServices int
	// OpenWithin and RecoverWithin bound the breaker check (defaults 5s, 10s).
	OpenWithin    time.Duration
	RecoverWithin time.Duration
}

// ErrUnreachable means the target could not be reached or authenticated
// to: the report is printed, but verify could not do its job (exit 2).
var ErrUnreachable = errors.New("target unreachable")

// Report is a verification run.
type Report struct {
	Target  string         `json:"target"`
	Results []Result       `json:"checks"`
	Counts  map[Status]int `json:"summary"`
	Millis  float64        `json:"duration_ms"`
}

// Failed reports whether any check failed or errored.
func (r *Report) Failed() bool { return r.Counts[Fail] > 0 || r.Counts[Error] > 0 }

// env is what checks share.
type env struct {
	opts      Options
	target    string           // redacted
	redisOpts *redis.Options   // the one node the server checks talk to
	tgt       target.Target    // the deployment the URL names
	topo      *target.Topology // as resolved at the start (nil: it could not be)
	topoErr   error            // why it could not be resolved
	client    *redis.Client    // direct to the target, no retries
	reachable bool
	infoStart redisinfo.Fields
}

func (o *Options) defaults() error {
	if o.Pings <= 0 {
		o.Pings = 100
	}
	if o.LatencyWarn <= 0 {
		o.LatencyWarn = 10 * time.Millisecond
	}
	if o.LatencyFail <= 0 {
		o.LatencyFail = 100 * time.Millisecond
	}
	if o.HerdServices <= 0 {
		o.HerdServices = 20
	}
	if o.OpenWithin <= 0 {
		o.OpenWithin = 5 * time.Second
	}
	if o.RecoverWithin <= 0 {
		o.RecoverWithin = 10 * time.Second
	}
	if o.Role != "" && o.Role != "cache" && o.Role != "store" {
		return fmt.Errorf("role must be cache or store, got %q", o.Role)
	}
	return nil
}

// Run runs the selected checks in order. It returns an error wrapping
// ErrUnreachable (with the report) when the target cannot be reached, and
// a plain error (no report) when the options are wrong.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	selected, err := selectChecks(opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	e := &env{opts: opts, target: redact.URL(opts.RedisURL)}
	if opts.RedisURL != "" {
		t, err := target.Parse(opts.RedisURL)
		if err != nil {
			return nil, err
		}
		e.tgt = t
		e.topo, e.topoErr = t.Resolve(ctx)
		ro := target.ToolOptions(t.DataOptions(node(e.topo, t)))
		ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = 3*time.Second, 3*time.Second, 3*time.Second
		e.redisOpts = ro
		e.client = redis.NewClient(ro)
		defer e.client.Close()
	}
	start := time.Now()
	rep := &Report{Target: e.target, Counts: map[Status]int{}}
	if e.client != nil && !slices.ContainsFunc(selected, func(c Check) bool { return c.Name == "connectivity" }) {
		_ = checkConnectivity(ctx, e, e.target) // the other checks need it; its row is not wanted
	}
	for _, c := range selected {
		targets := []string{e.target}
		if c.PerService {
			targets = opts.Services
		}
		for _, t := range targets {
			rep.Results = append(rep.Results, runOne(ctx, e, c, t))
		}
	}
	for _, r := range rep.Results {
		rep.Counts[r.Status]++
	}
	rep.Millis = ms(time.Since(start))
	if opts.RedisURL != "" && !e.reachable {
		return rep, fmt.Errorf("%w: %s", ErrUnreachable, e.target)
	}
	return rep, nil
}

func runOne(ctx context.Context, e *env, c Check, target string) Result {
	start := time.Now()
	var r Result
	switch {
	case !c.PerService && e.client == nil:
		r = skipped("no --redis-url / REDIS_URL")
	case !c.PerService && c.Name != "connectivity" && !e.reachable:
		r = skipped("target unreachable")
	default:
		r = c.run(ctx, e, target)
	}
	r.Name, r.Target = c.Name, target
	if !c.PerService {
		r.Target = e.target
	}
	r.Duration = time.Since(start)
	r.Millis = ms(r.Duration)
	r.Value, r.Hint = redact.String(r.Value), redact.String(r.Hint)
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
