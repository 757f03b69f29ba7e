package manager

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// probeKey marks the prober's own commands, which pass a half-open breaker
// without taking an application slot.
type probeKey struct{}

func isProbe(ctx context.Context) bool { return ctx.Value(probeKey{}) != nil }

// breakerHook puts every command sent through a client behind br and
// records its outcome. go-redis runs it once per attempt, so counts here are
// network attempts. A standalone or Sentinel target has one, on the client
// itself, with the manager's breaker; a Cluster has one per node client.
type breakerHook struct {
	m  *Manager
	br *breaker
}

func (h *breakerHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *breakerHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if isHandshake(cmd) {
			return next(ctx, cmd)
		}
		p := h.m.admit(ctx, h.br)
		if p == denied {
			err := h.br.deniedErr()
			cmd.SetErr(err)
			return err
		}
		start := time.Now()
		err := next(ctx, cmd)
		h.m.record(h.br, p, err, time.Since(start))
		return err
	}
}

func (h *breakerHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && isHandshake(cmds[0]) {
			return next(ctx, cmds)
		}
		p := h.m.admit(ctx, h.br)
		if p == denied {
			err := h.br.deniedErr()
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		start := time.Now()
		err := next(ctx, cmds)
		h.m.record(h.br, p, pipelineOutcome(err, cmds), time.Since(start))
		return err
	}
}

// isHandshake reports whether cmd is part of go-redis's connection set-up
// (HELLO, AUTH, SELECT), which runs inside the user's command and passes the
// hooks too. Its failure surfaces as the user's command's error, so counting
// it as well would count one outage twice.
func isHandshake(cmd redis.Cmder) bool {
	args := cmd.Args()
	if len(args) == 0 {
		return false
	}
	name, ok := args[0].(string)
	if !ok || len(name) < 4 || len(name) > 6 {
		return false
	}
	return strings.EqualFold(name, "hello") || strings.EqualFold(name, "auth") || strings.EqualFold(name, "select")
}

// pipelineOutcome is the first outage-class error of a pipeline, else err.
func pipelineOutcome(err error, cmds []redis.Cmder) error {
	for _, c := range cmds {
		if e := c.Err(); e != nil && Classify(e).IsFailure() {
			return e
		}
	}
	return err
}

func (m *Manager) admit(ctx context.Context, br *breaker) permit {
	if State(br.state.Load()) == Closed {
		return admitClosed
	}
	p := br.allow(isProbe(ctx))
	if p == denied {
		m.stats.byClass[Rejected].Add(1)
	}
	return p
}

// record feeds one attempt's outcome to br and the metrics.
func (m *Manager) record(br *breaker, p permit, err error, took time.Duration) {
	c := Classify(err)
	m.stats.byClass[c].Add(1)
	switch {
	case c == Canceled || c == Rejected:
		br.release(p)
	case br.perNode && (c == ClusterDown || c == TryAgain):
		// The node answered: the cluster as a whole is down (a master
		// failed and full coverage is required) or a slot is moving. Its
		// breaker must not open for that, or a second-long CLUSTERDOWN
		// while a replica is promoted would shut healthy shards for the
		// whole open wait.
		m.noteError(err)
		br.release(p)
	case c.IsFailure():
		m.observe(br, took)
		m.noteError(err)
		br.failure(p, err, took)
	default:
		m.observe(br, took)
		br.success(p, took)
	}
}

// observe records an attempt's latency, and whether it was a slow call.
func (m *Manager) observe(br *breaker, took time.Duration) {
	m.stats.latency.observe(took)
	if br.isSlow(took) {
		m.stats.slowCalls.Add(1)
	}
}
