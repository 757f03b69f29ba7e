package herd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ContendConfig reproduces "Exponential Backoff And Jitter" (AWS
// Architecture Blog): Clients each increment one shared key once with
// optimistic concurrency (WATCH/MULTI/EXEC); a conflict is retried after the
// policy's backoff. What matters is the total number of calls and the time
// until every client is done.
type ContendConfig struct {
	Clients  int
	RedisURL string        // empty: an embedded server
	Base     time.Duration // default 1ms
	Cap      time.Duration // default 1s
	// Work is the client's think time between reading the key and
	// writing it back (default 1ms): the window in which a conflict happens.
	Work     time.Duration
	Seed     int64
	Policies []string // default all four
}

// ContendResult is one policy's outcome.
type ContendResult struct {
	Policy     string `json:"policy"`
	Calls      int64  `json:"calls"`
	Conflicts  int64  `json:"conflicts"`
	DurationMS int64  `json:"duration_ms"`
	Final      int64  `json:"final_value"` // must equal Clients
}

// Contend runs each policy in turn against a fresh key.
func Contend(ctx context.Context, cfg ContendConfig) ([]ContendResult, error) {
	if cfg.Clients <= 0 {
		return nil, fmt.Errorf("clients must be at least 1, got %d", cfg.Clients)
	}
	if cfg.Base <= 0 {
		cfg.Base = time.Millisecond
	}
	if cfg.Cap <= 0 {
		cfg.Cap = time.Second
	}
	if cfg.Work <= 0 {
		cfg.Work = time.Millisecond
	}
	if len(cfg.Policies) == 0 {
		cfg.Policies = BackoffNames()
	}
	for _, p := range cfg.Policies {
		if _, ok := backoffs[p]; !ok {
			return nil, fmt.Errorf("unknown backoff %q", p)
		}
	}
	// With no target: the embedded server (one key needs no real one).
	tgt, err := openServer(&Config{RedisURL: cfg.RedisURL, Embedded: true})
	if err != nil {
		return nil, err
	}
	defer tgt.close()
	o := tgt.tgt.DataOptions(tgt.entry())
	o.PoolSize, o.MaxRetries = cfg.Clients, -1
	var c redis.UniversalClient
	if tgt.cluster() { // WATCH/MULTI on one key go to its slot's master
		c = redis.NewClusterClient(&redis.ClusterOptions{Addrs: tgt.topo.Addrs(), Username: o.Username, Password: o.Password,
			TLSConfig: tgt.tgt.TLS, PoolSize: cfg.Clients, MaxRetries: -1})
	} else {
		c = redis.NewClient(o)
	}
	defer c.Close()
	var out []ContendResult
	for i, p := range cfg.Policies {
		r, err := contendOnce(ctx, c, cfg, p, fmt.Sprintf("rescli:contend:%d:%s", cfg.Seed, p), uint64(cfg.Seed)*100+uint64(i))
		if err != nil {
			return nil, fmt.Errorf("contend with %s backoff: %w", p, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func contendOnce(ctx context.Context, c redis.UniversalClient, cfg ContendConfig, policy, key string, seed uint64) (ContendResult, error) {
	if err := c.Del(ctx, key).Err(); err != nil {
		return ContendResult{}, err
	}
	defer c.Del(context.WithoutCancel(ctx), key)
	var calls, conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Clients)
	start := time.Now()
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			prev := cfg.Base
			for n := 1; ; n++ {
				calls.Add(1)
				err := c.Watch(ctx, func(tx *redis.Tx) error { return increment(ctx, tx, key, cfg.Work) }, key)
				if err == nil {
					return
				}
				if !errors.Is(err, redis.TxFailedErr) {
					errs <- err
					return
				}
				conflicts.Add(1)
				prev = Sleep(policy, r, n, prev, cfg.Base, cfg.Cap)
				select {
				case <-time.After(prev):
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return ContendResult{}, err
	}
	final, err := c.Get(ctx, key).Int64()
	if err != nil {
		return ContendResult{}, err
	}
	return ContendResult{Policy: policy, Calls: calls.Load(), Conflicts: conflicts.Load(),
		DurationMS: time.Since(start).Milliseconds(), Final: final}, nil
}

func increment(ctx context.Context, tx *redis.Tx, key string, work time.Duration) error {
	n, err := tx.Get(ctx, key).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	time.Sleep(work)
	_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, key, n+1, 0)
		return nil
	})
	return err
}
