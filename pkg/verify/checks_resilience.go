package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/rig"
)

// breakerTimings are short so the check takes seconds, not minutes.
var breakerTimings = manager.BreakerSettings{FailureThreshold: 3, OpenTimeout: 500 * time.Millisecond, MaxOpenTimeout: time.Second}

func checkBreaker(ctx context.Context, e *env, _ string) Result {
	r, err := rig.New(ctx, e.tgt, rig.Options{Name: "verify", Topology: e.topo})
	if err != nil {
		return errored(fmt.Errorf("start proxies: %w", err))
	}
	defer r.Close()
	m, err := r.Manager(manager.Options{Name: "verify", Breaker: breakerTimings})
	if err != nil {
		return errored(err)
	}
	defer m.Close()
	ping := func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() }
	if err := m.Do(ctx, ping); err != nil {
		return errored(fmt.Errorf("baseline PING through the proxy: %w", err))
	}
	if err := r.AddToxic(chaos.Toxic{Name: "blackhole", Type: "timeout", Stream: chaos.StreamBoth, Toxicity: 1}); err != nil {
		return errored(fmt.Errorf("add blackhole: %w", err))
	}
	faulted := time.Now()
	opened, err := driveUntil(ctx, m, ping, manager.Open, e.opts.OpenWithin)
	if err != nil {
		return fail(err.Error(), "the manager never opened its breaker: check FailureThreshold and the client timeouts (ReadTimeout, DialTimeout)")
	}
	openIn := opened.Sub(faulted)
	start := time.Now()
	ffErr := m.Do(ctx, ping)
	fastFail := time.Since(start)
	if !errors.Is(ffErr, manager.ErrCircuitOpen) || fastFail > 10*time.Millisecond {
		return fail(fmt.Sprintf("opened in %s but a call took %s (%v)", round(openIn), round(fastFail), ffErr), "calls while open must fail fast without touching the network")
	}
	if err := r.RemoveToxic("blackhole"); err != nil {
		return errored(fmt.Errorf("remove blackhole: %w", err))
	}
	removed := time.Now()
	if _, err := driveUntil(ctx, m, nil, manager.Closed, e.opts.RecoverWithin); err != nil {
		return fail(fmt.Sprintf("opened in %s, fail-fast %s, still %s %s after the fault was removed", round(openIn), round(fastFail), m.State(), e.opts.RecoverWithin),
			"the breaker must recover by itself: check the prober (OpenTimeout, ProbeInterval) and that Redis answers again")
	}
	return pass(fmt.Sprintf("opened in %s, fail-fast %s, closed %s after the fault was removed", round(openIn), round(fastFail), round(time.Since(removed))))
}

// driveUntil sends op (if any) every 50ms until the manager's state is
// want — for a Cluster, the state of all its masters' breakers together.
func driveUntil(ctx context.Context, m *manager.Manager, op manager.Op, want manager.State, limit time.Duration) (time.Time, error) {
	deadline := time.After(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if op != nil {
			callCtx, cancel := context.WithTimeout(ctx, time.Second)
			_ = m.Do(callCtx, op)
			cancel()
		}
		if m.State() == want {
			return time.Now(), nil
		}
		select {
		case <-deadline:
			return time.Time{}, fmt.Errorf("breaker still %s %s after the fault changed", m.State(), limit)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-tick.C:
		}
	}
}

func checkHerd(ctx context.Context, e *env, _ string) Result {
	rep, err := herd.Run(ctx, herd.Config{
		Services: e.opts.HerdServices, RedisURL: e.opts.RedisURL, Strategies: []string{"managed"},
		StartupTimeout: 5 * time.Second, Steady: 100 * time.Millisecond,
	})
	if err != nil {
		return errored(err)
	}
	r := rep.Strategies[0]
	v := fmt.Sprintf("%d services: %d ready, %d degraded, %d failed; peak %d connections, %d rejected",
		e.opts.HerdServices, r.Ready, r.Degraded, r.Failed, r.PeakConnections, r.RejectedConnections)
	switch {
	case r.RejectedConnections > 0:
		return fail(v, "even one managed pool was refused connections: raise maxclients or find who holds them (CLIENT LIST)")
	case r.Failed > 0:
		return fail(v, "managed services failed to start: see the errors with rescli herd --redis-url ... --strategy managed")
	case r.Degraded > 0:
		return warn(v, "some services started degraded: Redis was too slow for their warm-up")
	}
	return pass(v)
}
