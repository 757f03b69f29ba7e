package manager

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
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
	m, err := New(Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true})
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

// BenchmarkOverheadInterleaved runs raw go-redis and the manager in
// alternating blocks of 100 GETs on every goroutine, so machine noise hits
// both alike, and reports the manager's throughput as a share of raw's:
//
//	go test -run '^$' -bench OverheadInterleaved -benchtime 200000x -count 5 ./pkg/manager/
func BenchmarkOverheadInterleaved(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	if err := srv.Client().Set(ctx, "bench", "value", 0).Err(); err != nil {
		b.Fatal(err)
	}
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 20, DisableIdentity: true})
	defer raw.Close()
	m, err := New(Options{URL: srv.URL(), PoolSize: 20})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	op := func(ctx context.Context, c redis.UniversalClient) error { return c.Get(ctx, "bench").Err() }
	var rawNs, mgrNs atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			start := time.Now()
			var err error
			if (i/100)%2 == 0 {
				err = raw.Get(ctx, "bench").Err()
				rawNs.Add(int64(time.Since(start)))
			} else {
				err = m.Do(ctx, op)
				mgrNs.Add(int64(time.Since(start)))
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(rawNs.Load())/float64(mgrNs.Load()), "throughput-mgr/raw")
}

// BenchmarkPermitPath measures one command's way through the breaker with
// no network: admit, then record a success. It must not allocate, with slow
// calls on too (each call is then counted in the rate window).
//
//	go test -run '^$' -bench PermitPath -benchmem ./pkg/manager/
func BenchmarkPermitPath(b *testing.B) {
	for _, tc := range []struct {
		name string
		set  BreakerSettings
	}{{"defaults", BreakerSettings{}}, {"slow-calls", BreakerSettings{SlowCallDuration: time.Second, SlowCallRateThreshold: 0.5}}} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := New(Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true, Breaker: tc.set})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p := m.admit(ctx, m.br)
					m.record(m.br, p, nil, time.Millisecond)
				}
			})
		})
	}
}

// BenchmarkFailFastForcedOpen measures a call while an operator holds the
// breaker open.
func BenchmarkFailFastForcedOpen(b *testing.B) {
	m, err := New(Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	m.ForceOpen("bench")
	ctx := context.Background()
	op := func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if m.Do(ctx, op) != ErrForcedOpen {
				b.Error("not forced open")
				return
			}
		}
	})
}
