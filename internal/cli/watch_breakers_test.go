package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/health"
)

// watch --service's o key forces a real service's breaker open through its
// admin endpoint, with a reason that says who and from where, and resets
// it; a service without a token to send gets no such key.
func TestWatchForcesAServiceBreakerOpenAndResetsIt(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	p := startServe(t, srv.URL(), "--health-interval", "200ms")
	o := &watchOptions{g: &Global{Getenv: func(k string) string { return map[string]string{"USER": "oncall"}[k] }}, timeout: 2e9, refresh: 1e9}
	src := newWatchServices(o, []watchServiceSpec{{name: p.base, url: p.base, token: serveToken}})
	defer src.close()
	b := breakers(src, o.g.Getenv)
	if b == nil {
		t.Fatal("no controller for a service with a token")
	}
	reason, err := b.ForceOpen(p.base)
	if err != nil || !strings.Contains(reason, "rescli watch by oncall@") {
		t.Fatalf("force open: %q, %v", reason, err)
	}
	code, d, body, err := p.get(breakerHTTP, health.PathRedis)
	if err != nil || code != http.StatusServiceUnavailable || d.Redis == nil || d.Redis.State != "FORCED_OPEN" || d.Redis.StateReason != reason {
		t.Fatalf("after o: %d %v\n%s", code, err, body)
	}
	if err := b.Reset(p.base); err != nil {
		t.Fatal(err)
	}
	if _, d, body, _ := p.get(breakerHTTP, health.PathRedis); d.Redis == nil || d.Redis.State != "CLOSED" {
		t.Fatalf("after reset:\n%s", body)
	}
	if err := b.Reset("redis"); err == nil || !strings.Contains(err.Error(), "only a service's breaker") {
		t.Errorf("a Redis target's breaker: %v", err)
	}

	plain := newWatchServices(o, []watchServiceSpec{{name: p.base, url: p.base}})
	defer plain.close()
	if breakers(plain, o.g.Getenv) != nil {
		t.Error("a controller for services without a token")
	}
}
