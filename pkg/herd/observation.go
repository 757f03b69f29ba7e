package herd

import (
	"context"
	"fmt"
	"time"
)

// Observation is the server's own view of a scheduled herd, taken by a
// process that runs no services (rescli herd observe): for each strategy,
// its counters before and after, and the peak of its connected clients.
type Observation struct {
	Target     string     `json:"target"`
	StartAt    time.Time  `json:"start_at"`
	SlotMS     int64      `json:"slot_ms"`
	Strategies []Observed `json:"strategies"`
}

// Observed is one strategy's server view (nil when the server could not be
// read).
type Observed struct {
	Name   string       `json:"name"`
	Server *ServerDelta `json:"server"`
}

func (o *Observation) server(name string) *ServerDelta {
	for _, s := range o.Strategies {
		if s.Name == name {
			return s.Server
		}
	}
	return nil
}

// Observe watches the server of a herd scheduled with cfg.StartAt, through
// every strategy's slot, from before it starts until its connections
// closed. cfg is the herd's: the same strategies, start, start-up timeout
// and steady time; it needs the herd's RedisURL.
func Observe(ctx context.Context, cfg Config) (*Observation, error) {
	if cfg.RedisURL == "" {
		return nil, fmt.Errorf("%w: observing needs the herd's target (a redis URL)", ErrSplit)
	}
	if cfg.StartAt.IsZero() {
		return nil, fmt.Errorf("%w: observing needs the herd's start time", ErrSplit)
	}
	cfg.Services = max(cfg.Services, 1)
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	tgt, err := openServer(&cfg)
	if err != nil {
		return nil, err
	}
	defer tgt.close()
	out := &Observation{Target: tgt.label, StartAt: cfg.StartAt.UTC(), SlotMS: cfg.Slot().Milliseconds()}
	for i, name := range cfg.Strategies {
		t0 := startOf(&cfg, i)
		if late := time.Since(t0); late > time.Second {
			return nil, fmt.Errorf("%w: strategy %s was due %s ago; start the observer before --start-at", ErrSplit, name, late.Round(time.Millisecond))
		}
		// Read the counters just before the strategy starts, as its
		// processes open their proxies.
		if err := sleepUntil(ctx, t0.Add(-200*time.Millisecond)); err != nil {
			return nil, err
		}
		own := tgt.ownRejections.Load()
		obs := tgt.startObserver(ctx)
		err := sleepUntil(ctx, t0.Add(cfg.StartupTimeout+cfg.Steady))
		var d *ServerDelta
		if obs != nil {
			d = obs.finish(context.Background(), own)
		}
		if err != nil {
			return nil, err
		}
		out.Strategies = append(out.Strategies, Observed{Name: name, Server: d})
	}
	return out, nil
}
