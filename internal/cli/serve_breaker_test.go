package cli

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
)

// breakerHTTP keeps no idle connection, so that no goroutine of it outlives
// a test.
var breakerHTTP = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// postBreaker sends body to a serve process's breaker endpoint.
func postBreaker(t *testing.T, p *serveProc, header, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.base+health.PathBreaker, strings.NewReader(body))
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	resp, err := breakerHTTP.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", health.PathBreaker, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeBreakerAdminEndpoint: the running `rescli serve` takes the
// breaker controls behind its admin token, and its breaker really moves:
// /health/redis fails with FORCED_OPEN while the workers fall back, and a
// reset brings it back; `watch --service` shows it.
func TestServeBreakerAdminEndpoint(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	p := startServe(t, srv.URL(), "--workers", "2", "--rate", "50", "--health-interval", "200ms")
	hc := breakerHTTP
	waitUntil(t, "/health/redis closed", func() bool {
		code, d, _, err := p.get(hc, health.PathRedis)
		return err == nil && code == http.StatusOK && d.CircuitBreakerState == "closed"
	})

	// Guarded like the other admin endpoints, strict about its body
	forceOpen := `{"action":"force-open","reason":"INC-7: shed load"}`
	for _, tc := range []struct {
		name, header, body string
		code               int
	}{
		{"no token", "", forceOpen, http.StatusUnauthorized},
		{"wrong token", "Bearer wrong", forceOpen, http.StatusForbidden},
		{"unknown field", "Bearer " + serveToken, `{"action":"force-open","reason":"x","why":1}`, http.StatusBadRequest},
		{"no reason", "Bearer " + serveToken, `{"action":"force-open"}`, http.StatusBadRequest},
		{"too large", "Bearer " + serveToken, `{"action":"reset","reason":"` + strings.Repeat("x", 8000) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		if code, body := postBreaker(t, p, tc.header, tc.body); code != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.code)
		}
	}
	if _, d, _, _ := p.get(hc, health.PathRedis); d.CircuitBreakerState != "closed" {
		t.Fatalf("a refused request moved the breaker: %s", d.CircuitBreakerState)
	}

	// When an operator forces it open through the client
	client := &health.Client{HTTP: breakerHTTP}
	ctx := context.Background()
	st, err := client.BreakerAction(ctx, p.base, serveToken, health.ActionForceOpen, "INC-7: shed load")
	if err != nil || st.State != "FORCED_OPEN" || !st.Changed {
		t.Fatalf("force-open = %+v, %v", st, err)
	}
	// Then /health/redis fails with the state and reason, and the workers fall back
	code, d, body, err := p.get(hc, health.PathRedis)
	if err != nil || code != http.StatusServiceUnavailable || d.CircuitBreakerState != "forced_open" ||
		d.Redis == nil || d.Redis.State != "FORCED_OPEN" || d.Redis.StateReason != "INC-7: shed load" {
		t.Fatalf("/health/redis while forced open = %d %v:\n%s", code, err, body)
	}
	fallbacks := d.Redis.Fallbacks
	waitUntil(t, "the workers to fall back", func() bool {
		_, d, _, err := p.get(hc, health.PathRedis)
		return err == nil && d.Redis != nil && d.Redis.Fallbacks > fallbacks+5
	})

	// And watch --service says FORCED_OPEN with the reason
	out, _, stop := watchStart(t, "watch", "--service", p.base, "--token", serveToken, "--refresh", "100ms", "--summary", "100ms")
	watchWait(t, "watch says FORCED_OPEN", out.String, regexp.MustCompile(`state=FORCED_OPEN [^\n]*reason="INC-7: shed load"`), 20*time.Second)
	if err := stop(); err != nil {
		t.Fatalf("watch: %v", err)
	}
	if strings.Contains(out.String(), serveToken) {
		t.Error("watch printed the token")
	}

	// When it is reset, it closes and /health/redis passes again
	if st, err := client.BreakerAction(ctx, p.base, serveToken, health.ActionReset, ""); err != nil || st.State != "CLOSED" {
		t.Fatalf("reset = %+v, %v", st, err)
	}
	waitUntil(t, "/health/redis closed after the reset", func() bool {
		code, d, _, err := p.get(hc, health.PathRedis)
		return err == nil && code == http.StatusOK && d.CircuitBreakerState == "closed"
	})
	// The serve log says who did what and why, and never the token
	if err := p.stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, p.out)
	}
	log := p.out.String()
	for _, want := range []string{`to=FORCED_OPEN reason="INC-7: shed load"`, "circuit breaker action", "action=reset"} {
		if !strings.Contains(log, want) {
			t.Errorf("serve's log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, serveToken) {
		t.Error("serve's log has the token")
	}
}

func TestServeBreakerEndpointDisabledWithoutToken(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	p := startServeToken(t, "", srv.URL(), "--workers", "0")
	client := &health.Client{HTTP: breakerHTTP}
	if _, err := client.BreakerAction(context.Background(), p.base, "anything", health.ActionForceOpen, "x"); !errors.Is(err, health.ErrNotFound) {
		t.Fatalf("force-open against serve without an admin token = %v, want 404 (ErrNotFound)", err)
	}
}

func TestWatchParseStateKnowsEveryState(t *testing.T) {
	for _, st := range manager.States() {
		for _, word := range []string{st.String(), strings.ToLower(st.String())} {
			if got, ok := watchParseState(word); !ok || got != st {
				t.Errorf("watchParseState(%q) = %v, %v; want %v", word, got, ok, st)
			}
		}
	}
	if _, ok := watchParseState("FORCED"); ok {
		t.Error("a word that is no state was read as one")
	}
}
