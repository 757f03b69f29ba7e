package health

import (
	"net/http"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// Given a service whose Redis is killed, /health keeps answering (warn: the
// service degrades) while /health/redis fails with the breaker open; when
// Redis comes back on the same port, both pass again with no restart.
func TestKillAndRestartRedis(t *testing.T) {
	srv := redistest.Start(t)
	m := fastManager(t, srv.URL(), 300*time.Millisecond)
	c, err := New(Options{Manager: m, AdminToken: "tok", Version: "test", Interval: 100 * time.Millisecond,
		Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	ts := serve(t, c)
	hc := ts.Client()

	eventually(t, "pass with Redis up", func() bool {
		return fetch(t, hc, ts.URL+PathBasic, "").doc.Status == Pass
	})
	r := fetch(t, hc, ts.URL+PathRedis, "tok")
	if r.doc.Status != Pass || r.doc.CircuitBreakerState != "closed" || r.doc.Redis.Server == nil {
		t.Fatalf("/health/redis with Redis up = %s", r.body)
	}

	// When Redis dies.
	srv.Kill()
	eventually(t, "/health/redis fail with the breaker open", func() bool {
		r = fetch(t, hc, ts.URL+PathRedis, "tok")
		return r.code == http.StatusServiceUnavailable && r.doc.CircuitBreakerState == "open"
	})
	if cb := r.doc.Checks["redis:circuitBreaker"]; len(cb) != 1 || cb[0].Status != Fail || cb[0].Output == "" {
		t.Errorf("redis:circuitBreaker = %+v, want fail with output", cb)
	}
	b := fetch(t, hc, ts.URL+PathBasic, "")
	if b.code != http.StatusOK || b.doc.Status != Warn {
		t.Errorf("/health with Redis down = %d %s, want 200 warn (degraded)", b.code, b.body)
	}

	// Then it comes back.
	srv.Restart()
	eventually(t, "pass again after restart", func() bool {
		return fetch(t, hc, ts.URL+PathRedis, "tok").doc.Status == Pass &&
			fetch(t, hc, ts.URL+PathBasic, "").doc.Status == Pass
	})
	d := fetch(t, hc, ts.URL+PathDetailed, "tok").doc
	if !hasTransition(d.Transitions, "redis", "CLOSED", "OPEN") || !hasTransition(d.Transitions, "health", "pass", "warn") {
		t.Errorf("detailed transitions = %+v, want the breaker opening and pass→warn", d.Transitions)
	}
}

// Given Redis frozen by SIGSTOP (a hang, not a refusal), /health answers
// within a client timeout far below the manager's Redis timeouts, every
// time, while /health/redis turns fail.
func TestPausedRedisHealthAnswersFromCache(t *testing.T) {
	srv := redistest.Start(t)
	m := fastManager(t, srv.URL(), time.Second)
	c, _ := New(Options{Manager: m, AdminToken: "tok", Interval: 100 * time.Millisecond, Timeout: time.Second})
	startChecker(t, c)
	ts := serve(t, c)
	eventually(t, "pass", func() bool { return fetch(t, ts.Client(), ts.URL+PathBasic, "").doc.Status == Pass })

	srv.Pause()
	defer srv.Resume()
	quick := &http.Client{Timeout: 250 * time.Millisecond} // a quarter of Redis's 1s timeout
	defer quick.CloseIdleConnections()
	eventually(t, "/health/redis fail while paused", func() bool {
		if f := fetch(t, quick, ts.URL+PathBasic, ""); f.code != http.StatusOK {
			t.Fatalf("/health = %d %s", f.code, f.body)
		}
		return fetch(t, quick, ts.URL+PathRedis, "tok").doc.Status == Fail
	})
	srv.Resume()
	eventually(t, "pass after resume", func() bool { return fetch(t, quick, ts.URL+PathRedis, "tok").doc.Status == Pass })
}

// Before the first poll nothing passes, even with Redis up.
func TestNoPassBeforeFirstCheck(t *testing.T) {
	srv := redistest.Start(t)
	m := fastManager(t, srv.URL(), time.Second)
	c, _ := New(Options{Manager: m, AdminToken: "tok"})
	ts := serve(t, c) // never started
	for _, p := range []string{PathBasic, PathRedis, PathDetailed} {
		f := fetch(t, ts.Client(), ts.URL+p, "tok")
		if f.code != http.StatusServiceUnavailable || f.doc.Status != Fail {
			t.Errorf("%s before the first check = %d %s, want 503 fail", p, f.code, f.body)
		}
	}
}

func hasTransition(ts []TransitionRecord, comp, from, to string) bool {
	for _, r := range ts {
		if r.Component == comp && r.From == from && r.To == to {
			return true
		}
	}
	return false
}
