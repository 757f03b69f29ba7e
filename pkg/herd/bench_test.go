package herd

import (
	"context"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// BenchmarkBackoffContention reproduces "Exponential Backoff And Jitter":
// 100 clients increment one key with WATCH/MULTI against a real redis-server;
// reports total calls and completion time per policy side by side:
//
//	go test -run '^$' -bench BackoffContention -benchtime 3x ./pkg/herd/
func BenchmarkBackoffContention(b *testing.B) {
	srv := redistest.Start(b)
	for _, policy := range BackoffNames() {
		b.Run(policy, func(b *testing.B) {
			var calls, ms int64
			for i := range b.N {
				res, err := Contend(context.Background(), ContendConfig{Clients: 100, RedisURL: srv.URL(), Seed: int64(i + 1),
					Policies: []string{policy}, Base: time.Millisecond, Cap: 250 * time.Millisecond})
				if err != nil {
					b.Fatal(err)
				}
				calls += res[0].Calls
				ms += res[0].DurationMS
			}
			b.ReportMetric(float64(calls)/float64(b.N), "calls/run")
			b.ReportMetric(float64(ms)/float64(b.N), "ms/run")
		})
	}
}

// BenchmarkHerdEmbedded measures the simulator itself: wall time and memory
// of a managed herd on the embedded server.
//
//	go test -run '^$' -bench HerdEmbedded -benchmem -benchtime 1x ./pkg/herd/
func BenchmarkHerdEmbedded(b *testing.B) {
	for _, n := range []int{40, 400, 4000} {
		b.Run(itoa(n), func(b *testing.B) {
			for range b.N {
				if _, err := Run(context.Background(), Config{Services: n, Replicas: max(1, n/200), Steady: 100 * time.Millisecond}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
