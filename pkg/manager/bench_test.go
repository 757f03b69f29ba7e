package manager

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// BenchmarkParallelGET compares raw go-redis with the manager on the same
// loopback redis-server, same pool size. Report the ratio of the two ns/op
// and the difference in allocs/op:
//
//	go test -run '^$' -bench 'ParallelGET|FailFast' -benchmem -count 6 ./pkg/manager/ | tee bench.txt
func BenchmarkParallelGET(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	if err := srv.Client().Set(ctx, "bench", "value", 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("raw", func(b *testing.B) {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 20, DisableIdentity: true})
		defer c.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := c.Get(ctx, "bench").Err(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("manager", func(b *testing.B) {
		m, err := New(Options{URL: srv.URL(), PoolSize: 20})
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				err := m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error {
					return c.Get(ctx, "bench").Err()
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkFailFastOpen measures a call while the breaker is open.
func BenchmarkFailFastOpen(b *testing.B) {
	m, err := New(Options{Addrs: []string{"127.0.0.1:1"}, DisableMonitor: true})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	m.br.mu.Lock()
	m.br.transition(Open, "bench")
	m.br.mu.Unlock()
	ctx := context.Background()
	op := func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if m.Do(ctx, op) != ErrCircuitOpen {
				b.Error("not open")
				return
			}
		}
	})
}
