package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/manager"
)

// BenchmarkHealthUnderOutage sends GET /health at 1,000 requests/s for one
// second (open loop: a request is sent every millisecond whether or not the
// previous ones answered) while Redis is blackholed through a pkg/chaos proxy
// (a timeout fault: connections are accepted and nothing answers). It reports
// p50 and p99 for rescli's handler, which answers from cached state, and
// for a naive handler that PINGs Redis inline and so waits for the
// manager's 1s read timeout (or its breaker, once open).
//
//	go test -run '^$' -bench HealthUnderOutage -benchtime 1x ./pkg/health/
func BenchmarkHealthUnderOutage(b *testing.B) {
	for _, name := range []string{"rescli", "naive"} {
		b.Run(name, func(b *testing.B) {
			srv := redistest.Start(b)
			proxy := chaos.NewProxy("bench", "127.0.0.1:0", srv.Addr)
			if err := proxy.Start(); err != nil {
				b.Fatal(err)
			}
			defer proxy.Close()
			c := benchChecker(b, "redis://"+proxy.Addr())
			h := c.Handler()
			if name == "naive" {
				h = naiveHandler(c.opts.Manager)
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			if _, err := proxy.AddToxic(chaos.Toxic{Name: "blackhole", Type: "timeout", Stream: chaos.StreamBoth, Toxicity: 1}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				lat := openLoop(b, ts.URL+PathBasic, 1000, time.Second)
				b.ReportMetric(quantile(lat, 0.50), "p50-ms")
				b.ReportMetric(quantile(lat, 0.99), "p99-ms")
			}
		})
	}
}

// naiveHandler is what the seed's first version did: PING on the request
// path.
func naiveHandler(m *manager.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := m.Client().Ping(r.Context()).Err(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// openLoop sends rate requests per second for d and returns each latency
// in milliseconds (a failed request counts with the time it took).
func openLoop(b *testing.B, url string, rate int, d time.Duration) []float64 {
	b.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: rate}}
	defer client.CloseIdleConnections()
	n := int(d.Seconds() * float64(rate))
	lat := make([]float64, n)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	for i := range n {
		<-tick.C
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
			start := time.Now()
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
			lat[i] = float64(time.Since(start).Microseconds()) / 1000
		})
	}
	wg.Wait()
	return lat
}

func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
