package manager

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Op is a unit of Redis work. It may send one command or several; every
// command passes the breaker.
type Op func(ctx context.Context, c redis.UniversalClient) error

// Fallback runs instead of an Op when Redis is unavailable; cause is why
// (ErrCircuitOpen or the outage error).
type Fallback func(ctx context.Context, cause error) error

// Path says which path produced a DoWithFallback result.
type Path int

// Paths.
const (
	PathRedis    Path = iota // the Redis operation ran and its result stands
	PathFallback             // Redis was unavailable; the fallback ran
)

func (p Path) String() string {
	if p == PathFallback {
		return "fallback"
	}
	return "redis"
}

// Do runs op with budgeted retries. While the breaker is open it returns
// ErrCircuitOpen at once (ErrForcedOpen, which wraps it, while forced open):
// no network, no allocation. Only failures where the
// command surely did not run (refused dial, maxclients, LOADING, BUSY,
// TRYAGAIN, CLUSTERDOWN, MASTERDOWN, READONLY, pool timeout) are retried, so
// a write is never applied twice; timeouts and lost connections are not.
func (m *Manager) Do(ctx context.Context, op Op) error {
	if err := m.br.rejectFast(); err != nil {
		m.stats.byClass[Rejected].Add(1)
		return err
	}
	m.budget.deposit()
	for attempt := 1; ; attempt++ {
		err := op(ctx, m.client)
		if err == nil || attempt >= m.opts.Retry.MaxAttempts || !Classify(err).notExecuted() {
			return err
		}
		if m.br.rejectFast() != nil || ctx.Err() != nil {
			return err
		}
		if !m.budget.withdraw() {
			m.stats.retriesDenied.Add(1)
			return err
		}
		m.stats.retries.Add(1)
		if serr := sleepCtx(ctx, backoff(&m.opts.Retry, attempt, m.randN)); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// DoWithFallback runs op like Do; if the breaker is open or op fails with an
// outage class, it runs fallback instead and says so. Application errors
// (redis.Nil, WRONGTYPE, …) are returned from the Redis path, not hidden.
func (m *Manager) DoWithFallback(ctx context.Context, op Op, fallback Fallback) (Path, error) {
	err := m.Do(ctx, op)
	if err == nil || fallback == nil || !Classify(err).IsOutage() {
		return PathRedis, err
	}
	m.stats.fallbacks.Add(1)
	return PathFallback, fallback(ctx, err)
}

// Get runs a value-returning operation with a fallback value source; it is
// DoWithFallback for the common read path.
func Get[T any](ctx context.Context, m *Manager, op func(context.Context, redis.UniversalClient) (T, error), fallback func(context.Context, error) (T, error)) (T, Path, error) {
	var v T
	path, err := m.DoWithFallback(ctx,
		func(ctx context.Context, c redis.UniversalClient) error {
			var e error
			v, e = op(ctx, c)
			return e
		},
		func(ctx context.Context, cause error) error {
			if fallback == nil {
				return cause
			}
			var e error
			v, e = fallback(ctx, cause)
			return e
		})
	return v, path, err
}
