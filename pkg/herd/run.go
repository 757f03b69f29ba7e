package herd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/rig"
)

// Run runs every configured strategy in turn against the target and
// returns the report. ctx cancels the run between strategies and while a
// split herd waits for its start.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	tgt, err := openServer(&cfg)
	if err != nil {
		return nil, err
	}
	defer tgt.close()
	rep := &Report{Target: tgt.label, Services: cfg.Services, Replicas: cfg.Replicas, MaxClients: cfg.MaxClients, Seed: cfg.Seed}
	if cfg.Split {
		rep.Split = &Split{ReplicaIndex: cfg.ReplicaIndex, StartAt: cfg.StartAt.UTC(), SlotMS: cfg.Slot().Milliseconds()}
	}
	for i, name := range cfg.Strategies {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := runStrategy(ctx, &cfg, tgt, name, i)
		if err != nil {
			return nil, fmt.Errorf("run strategy %s: %w", name, err)
		}
		rep.Strategies = append(rep.Strategies, res)
	}
	rep.Simulator = combineLoads(rep.Strategies)
	return rep, nil
}

// startOf is when strategy i starts: at once, or at its slot of a
// scheduled herd.
func startOf(cfg *Config, i int) time.Time {
	if cfg.StartAt.IsZero() {
		return time.Now()
	}
	return cfg.StartAt.Add(time.Duration(i) * cfg.Slot())
}

func runStrategy(ctx context.Context, cfg *Config, tgt *server, name string, index int) (Result, error) {
	seed := uint64(cfg.Seed)*1000 + uint64(index)
	if err := tgt.flush(ctx); err != nil {
		return Result{}, err
	}
	proxy, err := rig.New(ctx, tgt.tgt, rig.Options{Name: "herd-" + name, Topology: tgt.topo, Setup: maxClients(cfg.MaxClients), Upstream: cfg.Upstream})
	if err != nil {
		return Result{}, err
	}
	defer proxy.Close()
	t0 := startOf(cfg, index)
	if late := time.Since(t0); cfg.Split && late > time.Second {
		return Result{}, fmt.Errorf("%w: strategy %s was due %s ago; start every process before --start-at", ErrSplit, name, late.Round(time.Millisecond))
	}
	// A split herd's replica 0 watches the server for all of them.
	var obs *observer
	own := tgt.ownRejections.Load()
	if !cfg.Split || cfg.ReplicaIndex == 0 {
		obs = tgt.startObserver(ctx)
	}
	if err := sleepUntil(ctx, t0); err != nil {
		if obs != nil {
			obs.finish(context.Background(), own)
		}
		return Result{}, err
	}
	pcfg := *cfg
	if cfg.Progress != nil {
		pcfg.Progress = func(p Progress) { p.Strategy = name; cfg.Progress(p) }
	}
	ids := cfg.ids()
	e := &env{cfg: &pcfg, tgt: tgt, addr: proxy.Addr(tgt.entry()), dial: proxy.Dial, t0: t0,
		stop: make(chan struct{}), allSettled: make(chan struct{}), seed: seed, ids: ids}
	stopSampling := sample(e, proxy)
	load := startMeter()

	cleanup := strategies[name].start(e)
	<-e.allSettled
	simulator := load.stop() // the start-up phase is what it judges
	time.Sleep(cfg.Steady)
	close(e.stop)
	cleanup()
	wall := time.Since(e.t0)
	samples := stopSampling()

	res := e.result(name)
	res.Simulator = simulator
	st := proxy.Stats()
	res.PeakConnections, res.RejectedConnections, res.ConnectionAttempts = st.Peak, st.Rejected, st.Accepted
	res.WallMS, res.Timeline = wall.Milliseconds(), samples
	if cfg.Split {
		res.StartupsMS = e.startupsMS()
	}
	if obs != nil {
		res.Server = obs.finish(ctx, own)
		if res.Server != nil && !cfg.Split { // a split herd's merge adds the server's count once
			res.RejectedConnections += res.Server.rejected()
		}
	}
	return res, nil
}

// sleepUntil waits for t, or returns ctx's error.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// sample records connections and ready services every 20ms.
func sample(e *env, p *rig.Rig) func() []Sample {
	var out []Sample
	var mu sync.Mutex
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			mu.Lock()
			out = append(out, Sample{MS: time.Since(e.t0).Milliseconds(), Connections: p.Stats().Current, Ready: e.count.ready.Load()})
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() []Sample {
		close(done)
		<-stopped
		return out
	}
}

// maxClients is a rig Setup that limits each proxy to limit client
// connections, answering the next one as a full Redis does (0: no limit).
func maxClients(limit int) func(*chaos.Proxy) error {
	if limit <= 0 {
		return nil
	}
	return func(p *chaos.Proxy) error {
		_, err := p.AddToxic(chaos.Toxic{Name: "maxclients", Type: "maxclients", Toxicity: 1, Attributes: chaos.Attributes{"limit": limit}})
		return err
	}
}
