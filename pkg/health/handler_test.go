package health

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/orchestrate"
)

const (
	secretPassword = "pw-Zq8uN1"
	secretToken    = "tok-Hx72LmQ"
)

// newFullChecker builds a checker over a password-protected Redis and a
// small orchestrated graph whose non-critical "cache_warmer" fails.
func newFullChecker(t *testing.T, token string) (*Checker, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t) // its readiness probe has no password: set it after
	if err := srv.Client().ConfigSet(context.Background(), "requirepass", secretPassword).Err(); err != nil {
		t.Fatalf("set requirepass: %v", err)
	}
	m := fastManager(t, "redis://:"+secretPassword+"@"+srv.Addr, time.Second)
	ok := func(context.Context) error { return nil }
	o, err := orchestrate.New([]orchestrate.Service{
		{Name: "redis_manager", Critical: true, Start: ok},
		{Name: "cache_warmer", DependsOn: []string{"redis_manager"},
			Start: func(context.Context) error { return errors.New("warm cache: redis://:" + secretPassword + "@x") }},
		{Name: "api", DependsOn: []string{"cache_warmer"}, Start: ok},
	}, orchestrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	c, err := New(Options{Manager: m, Orchestrator: o, AdminToken: token, Version: "1.2.3",
		Interval: 100 * time.Millisecond, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	return c, srv
}

func TestAdminAuth(t *testing.T) {
	c, _ := newFullChecker(t, secretToken)
	ts := serve(t, c)
	cases := []struct {
		path, header string
		code         int
	}{
		{PathDetailed, "", http.StatusUnauthorized},
		{PathRedis, "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{PathServices, "Bearer ", http.StatusUnauthorized},
		{PathDetailed, "Bearer wrong", http.StatusForbidden},
		{PathRedis, "Bearer " + secretToken + "x", http.StatusForbidden},
		{PathServices, "bearer " + secretToken, http.StatusOK},
		{PathRedis, "Bearer " + secretToken, http.StatusOK},
		{PathDetailed, "Bearer " + secretToken, http.StatusOK},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+tc.path, nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("%s with %q = %d, want %d", tc.path, tc.header, resp.StatusCode, tc.code)
		}
		if tc.code == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s 401 without WWW-Authenticate: Bearer", tc.path)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s Cache-Control = %q", tc.path, resp.Header.Get("Cache-Control"))
		}
		if strings.Contains(string(body), secretToken) {
			t.Errorf("%s echoed the token: %s", tc.path, body)
		}
	}
}

func TestAdminDisabledWithoutToken(t *testing.T) {
	c, _ := newFullChecker(t, "")
	ts := serve(t, c)
	for _, p := range []string{PathDetailed, PathRedis, PathServices} {
		if f := fetch(t, ts.Client(), ts.URL+p, "anything"); f.code != http.StatusNotFound {
			t.Errorf("%s with no token configured = %d, want 404", p, f.code)
		}
	}
	if f := fetch(t, ts.Client(), ts.URL+PathBasic, ""); f.code != http.StatusOK {
		t.Errorf("/health = %d", f.code)
	}
}

// No endpoint's body carries the Redis password or the admin token, even
// with a service whose start error quoted a URL with the password.
func TestNoSecretInAnyBody(t *testing.T) {
	c, _ := newFullChecker(t, secretToken)
	ts := serve(t, c)
	eventually(t, "polled", c.Polled)
	for _, p := range []string{PathBasic, PathDetailed, PathRedis, PathServices, PathMetrics} {
		f := fetch(t, ts.Client(), ts.URL+p, secretToken)
		if f.code >= 400 && f.code != http.StatusServiceUnavailable {
			t.Fatalf("%s = %d %s", p, f.code, f.body)
		}
		for _, s := range []string{secretPassword, secretToken} {
			if strings.Contains(f.body, s) {
				t.Errorf("%s body contains a secret:\n%s", p, f.body)
			}
		}
	}
}

func TestBasicHasStatusAndVersionOnly(t *testing.T) {
	c, _ := newFullChecker(t, secretToken)
	ts := serve(t, c)
	f := fetch(t, ts.Client(), ts.URL+PathBasic, "")
	if f.header.Get("Content-Type") != MediaType || f.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers = %v", f.header)
	}
	// cache_warmer is degraded: warn, still 200.
	if f.code != http.StatusOK || f.doc.Status != Warn || f.doc.Version != "1.2.3" {
		t.Errorf("/health = %d %s", f.code, f.body)
	}
	if f.doc.Checks != nil || f.doc.Output != "" || strings.Contains(f.body, "cache_warmer") {
		t.Errorf("/health leaks components or errors: %s", f.body)
	}

	resp, err := ts.Client().Head(ts.URL + PathBasic)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("Content-Type") != MediaType {
		t.Errorf("HEAD /health = %d, %d body bytes", resp.StatusCode, len(b))
	}
	resp, err = ts.Client().Post(ts.URL+PathBasic, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /health = %d, want 405", resp.StatusCode)
	}
}

func TestServicesBlastRadius(t *testing.T) {
	c, _ := newFullChecker(t, secretToken)
	ts := serve(t, c)
	f := fetch(t, ts.Client(), ts.URL+PathServices, secretToken)
	if f.code != http.StatusOK || f.doc.Status != Warn {
		t.Fatalf("/health/services = %d %s", f.code, f.body)
	}
	w := f.doc.Checks["service:cache_warmer"]
	if len(w) != 1 || w[0].Status != Warn || w[0].ServiceInfo == nil {
		t.Fatalf("service:cache_warmer = %+v", w)
	}
	if got := w[0].BlastRadius; len(got) != 1 || got[0] != "api" {
		t.Errorf("blast radius = %v, want [api]", got)
	}
	if w[0].ObservedValue != "degraded" || !strings.Contains(w[0].LastError, "redis://:***@") {
		t.Errorf("cache_warmer = %+v", w[0])
	}
	if r := f.doc.Checks["service:redis_manager"]; len(r) != 1 || r[0].Status != Pass || !r[0].Critical || r[0].Phase != 1 {
		t.Errorf("service:redis_manager = %+v", r)
	}
}

func TestMetrics(t *testing.T) {
	c, _ := newFullChecker(t, secretToken)
	ts := serve(t, c)
	f := fetch(t, ts.Client(), ts.URL+PathMetrics, "")
	for _, want := range []string{`rescli_health_status{status="warn"} 1`, `rescli_redis_breaker_state{name="default",state="CLOSED"} 1`,
		`rescli_service_state{service="cache_warmer",state="degraded"} 1`} {
		if !strings.Contains(f.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A checker over an orchestrator alone: no Redis endpoint, services only.
func TestOrchestratorOnly(t *testing.T) {
	o, err := orchestrate.New([]orchestrate.Service{{Name: "api", Critical: true,
		Start: func(context.Context) error { return nil }}}, orchestrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Orchestrator: o, AdminToken: secretToken})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	ts := serve(t, c)
	if f := fetch(t, ts.Client(), ts.URL+PathRedis, secretToken); f.code != http.StatusNotFound {
		t.Errorf("/health/redis without a manager = %d, want 404", f.code)
	}
	if f := fetch(t, ts.Client(), ts.URL+PathBasic, ""); f.doc.Status != Pass {
		t.Errorf("/health = %s", f.body)
	}
	if _, err := New(Options{}); !errors.Is(err, ErrNoSource) {
		t.Errorf("New with nothing to check = %v, want ErrNoSource", err)
	}
}

func TestStartAfterStop(t *testing.T) {
	o, _ := orchestrate.New([]orchestrate.Service{{Name: "a", Start: func(context.Context) error { return nil }}}, orchestrate.Options{})
	c, _ := New(Options{Orchestrator: o})
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Start(ctx); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop = %v, want ErrStopped", err)
	}
	if c.Polled() {
		t.Error("polled after Stop")
	}
}
