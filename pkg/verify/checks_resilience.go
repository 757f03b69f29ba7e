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
	fastFail, ffErr := failFast(ctx, m, ping)
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

// failFast times one call, without the manager's retries, that meets an
// open breaker. A Cluster's nodes open and probe on their own timelines,
// and the cluster client moves a call that timed out on a half-open node
// on to another: the fastest of a few calls is the one that met an open
// breaker first.
func failFast(ctx context.Context, m *manager.Manager, op manager.Op) (time.Duration, error) {
	best, bestErr := time.Duration(-1), error(nil)
	for range 20 {
		start := time.Now()
		err := op(ctx, m.Client())
		took := time.Since(start)
		if best < 0 || errors.Is(err, manager.ErrCircuitOpen) && (took < best || !errors.Is(bestErr, manager.ErrCircuitOpen)) {
			best, bestErr = took, err
		}
		if errors.Is(bestErr, manager.ErrCircuitOpen) && best < time.Millisecond {
			break
		}
	}
	return best, bestErr
}

// reached reports whether the manager is in state want. For a Cluster,
// whose masters' breakers each cycle OPEN → HALF_OPEN → OPEN on their own
// timelines during an outage, "open" means that none is closed and each
// has tripped.
func reached(m *manager.Manager, want manager.State) bool {
	s := m.Snapshot()
	if want != manager.Open || len(s.Nodes) == 0 {
		return m.State() == want
	}
	for _, n := range s.Nodes {
		if n.Role == "master" && (n.State == manager.Closed || n.Trips == 0) {
			return false
		}
	}
	return true
}

// driveUntil sends op (if any) every 50ms until the manager has reached
// want.
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
		if reached(m, want) {
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
