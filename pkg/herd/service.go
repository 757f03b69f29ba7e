package herd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// runOp runs one command with a strategy's retry policy until it succeeds
// or the start-up deadline passes.
type runOp func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error

// warmup is a service's start-up burst: Warmup commands (two reads to one
// write), WarmupConcurrency at a time, each through run.
func warmup(ctx context.Context, e *env, id int, run runOp) error {
	sem := make(chan struct{}, e.cfg.WarmupConcurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range e.cfg.Warmup {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			key := fmt.Sprintf("herd:svc%d:k%d", id, i%5)
			err := run(ctx, func(ctx context.Context, c redis.UniversalClient) error {
				if i%3 == 2 {
					return c.Set(ctx, key, id, time.Minute).Err()
				}
				if err := c.Get(ctx, key).Err(); err != nil && err != redis.Nil {
					return err
				}
				return nil
			})
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// steady keeps a light load (one GET every 100ms) until the run ends.
// Errors are counted, not retried.
func steady(e *env, id int, c func(context.Context, func(context.Context, redis.UniversalClient) error) error) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	key := fmt.Sprintf("herd:svc%d:k0", id)
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := c(ctx, func(ctx context.Context, cl redis.UniversalClient) error {
				if err := cl.Get(ctx, key).Err(); err != nil && err != redis.Nil {
					return err
				}
				return nil
			})
			cancel()
			e.noteErr(err)
		}
	}
}

// immediate retries op at once until it succeeds or the deadline passes:
// the naive client's loop.
func immediate(e *env, c redis.UniversalClient) runOp {
	return func(ctx context.Context, op func(context.Context, redis.UniversalClient) error) error {
		for {
			err := op(ctx, c)
			if err == nil {
				return nil
			}
			e.noteErr(err)
			if time.Now().After(e.deadline()) || ctx.Err() != nil {
				return err
			}
			e.count.retries.Add(1)
		}
	}
}
