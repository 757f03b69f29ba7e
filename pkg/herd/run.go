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
// returns the report. ctx cancels the run between strategies.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	tgt, err := openServer(cfg.RedisURL, cfg.AllowUnreachable)
	if err != nil {
		return nil, err
	}
	defer tgt.close()
	rep := &Report{Target: tgt.label, Services: cfg.Services, Replicas: cfg.Replicas, MaxClients: cfg.MaxClients, Seed: cfg.Seed}
	for i, name := range cfg.Strategies {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := runStrategy(ctx, &cfg, tgt, name, uint64(cfg.Seed)*1000+uint64(i))
		if err != nil {
			return nil, fmt.Errorf("run strategy %s: %w", name, err)
		}
		rep.Strategies = append(rep.Strategies, res)
	}
	return rep, nil
}

func runStrategy(ctx context.Context, cfg *Config, tgt *server, name string, seed uint64) (Result, error) {
	before, _ := tgt.info(ctx) // nil when the server refuses us now: no server view
	own := tgt.ownRejections.Load()
	if tgt.mini != nil {
		tgt.mini.FlushAll()
	}
	proxy, err := rig.New(ctx, tgt.tgt, rig.Options{Name: "herd-" + name, Topology: tgt.topo, Setup: maxClients(cfg.MaxClients), Upstream: cfg.Upstream})
	if err != nil {
		return Result{}, err
	}
	defer proxy.Close()
	pcfg := *cfg
	if cfg.Progress != nil {
		pcfg.Progress = func(p Progress) { p.Strategy = name; cfg.Progress(p) }
	}
	e := &env{cfg: &pcfg, tgt: tgt, addr: proxy.Addr(tgt.entry()), dial: proxy.Dial, t0: time.Now(), stop: make(chan struct{}), allSettled: make(chan struct{}), seed: seed}
	stopSampling := sample(e, proxy)

	cleanup := strategies[name].start(e)
	<-e.allSettled
	time.Sleep(cfg.Steady)
	close(e.stop)
	cleanup()
	wall := time.Since(e.t0)
	samples := stopSampling()

	res := e.result(name)
	st := proxy.Stats()
	res.PeakConnections, res.RejectedConnections, res.ConnectionAttempts = st.Peak, st.Rejected, st.Accepted
	res.WallMS, res.Timeline = wall.Milliseconds(), samples
	if before != nil {
		if after := tgt.waitDrained(ctx, before.ConnectedClients, 3*time.Second); after != nil {
			ownNow := tgt.ownRejections.Load() - own
			res.Server = &ServerDelta{Before: *before, After: *after, OwnRejections: ownNow}
			res.RejectedConnections += after.RejectedConnections - before.RejectedConnections - ownNow
		}
	}
	return res, nil
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
