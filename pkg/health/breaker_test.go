package health

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/manager"
)

// newBreakerChecker is a started checker over a manager on a real server.
func newBreakerChecker(t *testing.T, token string) (*Checker, *manager.Manager) {
	t.Helper()
	srv := redistest.Start(t)
	m := fastManager(t, srv.URL(), time.Second)
	c, err := New(Options{Manager: m, AdminToken: token, Interval: 100 * time.Millisecond, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	return c, m
}

// post sends body to path with header as Authorization.
func post(t *testing.T, c *http.Client, url, header, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestBreakerEndpointGuardAndValidation(t *testing.T) {
	c, m := newBreakerChecker(t, secretToken)
	ts := serve(t, c)
	url := ts.URL + PathBreaker
	auth := "Bearer " + secretToken
	forceOpen := `{"action":"force-open","reason":"INC-1"}`
	for _, tc := range []struct {
		name, header, body string
		code               int
		says               string
	}{
		{"no token", "", forceOpen, 401, "admin token required"},
		{"basic auth", "Basic dXNlcjpwYXNz", forceOpen, 401, "admin token required"},
		{"wrong token", "Bearer nope", forceOpen, 403, "admin token rejected"},
		{"unknown field", auth, `{"action":"force-open","reason":"x","force":true}`, 400, "unknown field"},
		{"key twice", auth, `{"action":"reset","action":"force-open","reason":"x"}`, 400, "appears twice"},
		{"two documents", auth, forceOpen + forceOpen, 400, "data after the JSON document"},
		{"empty", auth, ``, 400, "empty body"},
		{"unknown action", auth, `{"action":"close","reason":"x"}`, 400, `unknown action "close"`},
		{"no reason", auth, `{"action":"force-open"}`, 400, "a reason is required"},
		{"no reason to disable", auth, `{"action":"disable","reason":""}`, 400, "a reason is required"},
		{"long reason", auth, `{"action":"disable","reason":"` + strings.Repeat("r", MaxReasonLen+1) + `"}`, 400, "at most 200"},
		{"control bytes", auth, `{"action":"force-open","reason":"x\u001b[2Jy"}`, 400, "control characters"},
		{"newline", auth, `{"action":"force-open","reason":"x\nlevel=ERROR"}`, 400, "control characters"},
		{"too large", auth, `{"action":"reset","reason":"` + strings.Repeat(" ", 5000) + `"}`, 413, "too large"},
	} {
		code, body := post(t, ts.Client(), url, tc.header, tc.body)
		if code != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.name, code, body, tc.code, tc.says)
		}
		if strings.Contains(body, secretToken) {
			t.Errorf("%s: the answer echoes the token", tc.name)
		}
		if s := m.State(); s != manager.Closed {
			t.Fatalf("%s: a refused request moved the breaker to %v", tc.name, s)
		}
	}
	resp, err := ts.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET %s = %d, want 405", PathBreaker, resp.StatusCode)
	}
}

func TestBreakerEndpointDisabledWithoutToken(t *testing.T) {
	c, m := newBreakerChecker(t, "")
	ts := serve(t, c)
	if code, _ := post(t, ts.Client(), ts.URL+PathBreaker, "Bearer anything", `{"action":"force-open","reason":"x"}`); code != http.StatusNotFound {
		t.Errorf("POST %s with no token configured = %d, want 404", PathBreaker, code)
	}
	if m.State() != manager.Closed {
		t.Errorf("breaker moved to %v", m.State())
	}
}

func TestBreakerEndpointForcesAndTheDocumentsSayIt(t *testing.T) {
	c, m := newBreakerChecker(t, secretToken)
	ts := serve(t, c)
	auth := "Bearer " + secretToken
	act := func(body string) BreakerState {
		t.Helper()
		code, b := post(t, ts.Client(), ts.URL+PathBreaker, auth, body)
		var st BreakerState
		if err := json.Unmarshal([]byte(b), &st); code != http.StatusOK || err != nil {
			t.Fatalf("POST %s = %d %s (%v)", body, code, b, err)
		}
		return st
	}

	// force-open: the breaker holds, and every document says so
	st := act(`{"action":"force-open","reason":"INC-7: shed load"}`)
	if st.State != "FORCED_OPEN" || !st.Changed || st.StateReason != "INC-7: shed load" || st.Action != ActionForceOpen {
		t.Fatalf("answer %+v, want FORCED_OPEN, changed, with the reason", st)
	}
	if m.State() != manager.ForcedOpen {
		t.Fatalf("manager state %v, want FORCED_OPEN", m.State())
	}
	if again := act(`{"action":"force-open","reason":"again"}`); again.Changed || again.StateReason != "INC-7: shed load" {
		t.Errorf("forcing again: %+v, want unchanged with the first reason", again)
	}
	r := fetch(t, ts.Client(), ts.URL+PathRedis, secretToken)
	cb := r.doc.Checks["redis:circuitBreaker"]
	if r.code != http.StatusServiceUnavailable || r.doc.Status != Fail || r.doc.CircuitBreakerState != "forced_open" ||
		r.doc.Redis == nil || r.doc.Redis.State != "FORCED_OPEN" || r.doc.Redis.StateReason != "INC-7: shed load" ||
		len(cb) != 1 || cb[0].Status != Fail || !strings.Contains(cb[0].Output, "forced open by an operator") {
		t.Fatalf("/health/redis while forced open = %d:\n%s", r.code, r.body)
	}
	// The load balancer's view: degraded, still in rotation
	if b := fetch(t, ts.Client(), ts.URL+PathBasic, ""); b.code != http.StatusOK || b.doc.Status != Warn {
		t.Errorf("/health while forced open = %d %s, want 200 warn", b.code, b.body)
	}
	if mt := fetch(t, ts.Client(), ts.URL+PathMetrics, ""); !strings.Contains(mt.body, `rescli_redis_breaker_state{name="default",state="FORCED_OPEN"} 1`) {
		t.Errorf("/metrics does not show FORCED_OPEN:\n%s", grepLines(mt.body, "breaker_state"))
	}
	eventually(t, "the transition in /health/detailed", func() bool {
		for _, tr := range fetch(t, ts.Client(), ts.URL+PathDetailed, secretToken).doc.Transitions {
			if tr.Component == "redis" && tr.To == "FORCED_OPEN" && tr.Reason == "INC-7: shed load" {
				return true
			}
		}
		return false
	})
	if d := fetch(t, ts.Client(), ts.URL+PathDetailed, secretToken); d.doc.Redis == nil || d.doc.Redis.State != "FORCED_OPEN" {
		t.Errorf("/health/detailed redis = %s", d.body)
	}

	// disable: warn, calls go through
	if st := act(`{"action":"disable","reason":"breaker flaps"}`); st.State != "DISABLED" || !st.Changed {
		t.Fatalf("disable answered %+v", st)
	}
	r = fetch(t, ts.Client(), ts.URL+PathRedis, secretToken)
	if cb := r.doc.Checks["redis:circuitBreaker"]; r.doc.CircuitBreakerState != "disabled" || len(cb) != 1 || cb[0].Status != Warn ||
		!strings.Contains(cb[0].Output, "breaker flaps") {
		t.Errorf("/health/redis while disabled = %d:\n%s", r.code, r.body)
	}
	if err := m.Do(context.Background(), func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() }); err != nil {
		t.Errorf("a call while disabled: %v", err)
	}

	// reset: closed again, no reason needed
	if st := act(`{"action":"reset"}`); st.State != "CLOSED" || !st.Changed || st.StateReason != "reset" {
		t.Fatalf("reset answered %+v", st)
	}
	eventually(t, "/health/redis to pass", func() bool {
		r := fetch(t, ts.Client(), ts.URL+PathRedis, secretToken)
		return r.code == http.StatusOK && r.doc.CircuitBreakerState == "closed"
	})
}

func grepLines(s, sub string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestClientBreakerAction(t *testing.T) {
	c, m := newBreakerChecker(t, secretToken)
	ts := serve(t, c)
	ctx := context.Background()
	cl := &Client{Timeout: 2 * time.Second}

	st, err := cl.BreakerAction(ctx, ts.URL, secretToken, ActionForceOpen, "INC-3")
	if err != nil || st.State != "FORCED_OPEN" || m.State() != manager.ForcedOpen {
		t.Fatalf("force-open = %+v, %v; manager %v", st, err, m.State())
	}
	for _, tc := range []struct {
		base, token, action, reason string
		want                        error
	}{
		{ts.URL, "", ActionReset, "", ErrUnauthorized},
		{ts.URL, "wrong", ActionReset, "", ErrForbidden},
		{ts.URL, secretToken, "close", "x", ErrBadAction},
		{ts.URL, secretToken, ActionDisable, "", ErrBadReason},
		{ts.URL, secretToken, ActionDisable, "a\tb", ErrBadReason},
		{"ftp://x", secretToken, ActionReset, "", ErrBadURL},
		{deadURL(t), secretToken, ActionReset, "", ErrUnreachable},
	} {
		_, err := cl.BreakerAction(ctx, tc.base, tc.token, tc.action, tc.reason)
		if !errors.Is(err, tc.want) {
			t.Errorf("BreakerAction(%s, %q, %s, %q) = %v, want %v", tc.base, tc.token, tc.action, tc.reason, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secretToken) {
			t.Errorf("error echoes the token: %v", err)
		}
	}
	if m.State() != manager.ForcedOpen {
		t.Fatalf("a refused action moved the breaker to %v", m.State())
	}
	// The token may come from the Client; a trailing slash is fine
	cl.Token = secretToken
	if st, err := cl.BreakerAction(ctx, ts.URL+"/", "", ActionReset, ""); err != nil || st.State != "CLOSED" {
		t.Fatalf("reset = %+v, %v", st, err)
	}
	// A service with no admin token: 404
	c2, _ := newBreakerChecker(t, "")
	ts2 := serve(t, c2)
	if _, err := cl.BreakerAction(ctx, ts2.URL, "x", ActionReset, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("against a service without a token: %v, want ErrNotFound", err)
	}
}
