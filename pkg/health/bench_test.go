package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// BenchmarkBasicHandler measures GET /health, which judges cached state
// only. Run with: go test -run '^$' -bench BasicHandler -benchmem ./pkg/health/
// "paused" freezes Redis with SIGSTOP first: the figures do not change,
// since no request waits for Redis.
func BenchmarkBasicHandler(b *testing.B) {
	for _, paused := range []bool{false, true} {
		name := "redis-up"
		if paused {
			name = "redis-paused"
		}
		b.Run(name, func(b *testing.B) {
			srv := redistest.Start(b)
			c := benchChecker(b, srv.URL())
			if paused {
				srv.Pause()
				defer srv.Resume()
			}
			h := c.Handler()
			req := httptest.NewRequest(http.MethodGet, PathBasic, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK && w.Code != http.StatusServiceUnavailable {
					b.Fatalf("code %d", w.Code)
				}
			}
		})
	}
}

func benchChecker(b *testing.B, url string) *Checker {
	b.Helper()
	m, err := newBenchManager(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	c, _ := New(Options{Manager: m, Interval: time.Second, Timeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}
