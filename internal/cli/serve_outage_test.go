package cli

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/health"
)

// A real serve process against a real Redis: frozen, killed, restarted.
// /health keeps answering within a client timeout far below the manager's
// Redis timeouts; /health/redis fails with the breaker open; Redis comes
// back and so does pass, with no restart of the service. No body and no
// log line carries the password or the token.
func TestServeSurvivesRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	requirePassword(t, srv)
	p := startServe(t, "redis://:"+servePassword+"@"+srv.Addr,
		"--health-interval", "100ms", "--open-timeout", "300ms", "--check-timeout", "300ms", "--workers", "4", "--rate", "20", "-v")
	var bodies []string
	get := func(c *http.Client, path string) (int, health.Document) {
		code, d, body, err := p.get(c, path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		bodies = append(bodies, body)
		return code, d
	}
	slow := &http.Client{Timeout: 10 * time.Second}
	waitUntil(t, "pass", func() bool {
		_, r := get(slow, "/health/redis")
		_, b := get(slow, "/health")
		return r.Status == health.Pass && b.Status == health.Pass
	})

	// Given Redis frozen (SIGSTOP): /health answers within 250ms, a quarter
	// of the manager's 1s read timeout, every time.
	quick := &http.Client{Timeout: 250 * time.Millisecond}
	srv.Pause()
	waitUntil(t, "/health/redis fail while Redis is frozen", func() bool {
		if code, _ := get(quick, "/health"); code != http.StatusOK {
			_, _, detail, _ := p.get(slow, "/health/detailed")
			t.Fatalf("/health while Redis is frozen = %d; detailed: %s", code, detail)
		}
		code, d := get(quick, "/health/redis")
		return code == http.StatusServiceUnavailable && d.CircuitBreakerState == "open"
	})
	srv.Resume()
	waitUntil(t, "pass after resume", func() bool { _, d := get(slow, "/health/redis"); return d.Status == health.Pass })

	// When Redis is killed.
	srv.Kill()
	waitUntil(t, "/health/redis fail after kill", func() bool {
		code, d := get(quick, "/health/redis")
		return code == http.StatusServiceUnavailable && d.CircuitBreakerState == "open"
	})
	if code, d := get(quick, "/health"); code != http.StatusOK || d.Status != health.Warn {
		t.Errorf("/health with Redis dead = %d %s, want 200 warn (degraded)", code, d.Status)
	}
	// Then restarted on the same port: pass again, same process.
	srv.Restart()
	requirePassword(t, srv)
	waitUntil(t, "pass after restart", func() bool {
		_, r := get(slow, "/health/redis")
		_, b := get(slow, "/health")
		return r.Status == health.Pass && b.Status == health.Pass
	})
	_, d := get(slow, "/health/detailed")
	if d.Redis == nil || d.Redis.Trips < 2 || d.Redis.Recoveries < 2 {
		t.Errorf("detailed redis = %+v, want two trips and two recoveries", d.Redis)
	}
	if err := p.stop(); err != nil {
		t.Errorf("serve exit: %v\n%s", err, p.out)
	}
	logs := p.out.String()
	if !strings.Contains(logs, "stopped redis_manager") {
		t.Errorf("serve output lacks the ordered stop:\n%s", logs)
	}
	for _, s := range []string{servePassword, serveToken} {
		if strings.Contains(logs, s) {
			t.Errorf("serve output contains a secret:\n%s", logs)
		}
		for _, b := range bodies {
			if strings.Contains(b, s) {
				t.Fatalf("a body contains a secret: %s", b)
			}
		}
	}
}

// `rescli health` against two serve processes and one dead URL: the
// report covers all three and the exit code is 1 (one unreachable fails the
// report); with the two live ones only, exit 0.
func TestHealthCommandAgainstServeProcesses(t *testing.T) {
	srv := redistest.Start(t)
	a := startServe(t, srv.URL(), "--health-interval", "100ms", "--workers", "2")
	b := startServe(t, srv.URL(), "--health-interval", "100ms", "--workers", "2")
	for _, p := range []*serveProc{a, b} {
		waitUntil(t, "pass", func() bool { _, d, _, _ := p.get(http.DefaultClient, "/health"); return d.Status == health.Pass })
	}
	dead := "http://127.0.0.1:1"
	out, code := runRescli(t, "health", "--service", a.base, "--service", b.base, "--service", dead, "--token", serveToken, "--timeout", "2s")
	if code != ExitCheckFailed {
		t.Errorf("exit = %d, want %d\n%s", code, ExitCheckFailed, out)
	}
	for _, want := range []string{a.base + "  PASS", b.base + "  PASS", dead + "  ERROR", "3 services: 2 pass, 0 warn, 0 fail, 1 error",
		"rescli: 1 of 3 services could not be checked: fetch http://127.0.0.1:1/health"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, serveToken) {
		t.Errorf("output contains the token")
	}
	out, code = runRescli(t, "health", "--service", a.base, "--service", b.base)
	if code != ExitOK {
		t.Errorf("exit = %d, want 0\n%s", code, out)
	}
}

// runRescli runs the rescli binary and returns its combined output and
// exit code.
func runRescli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command("rescli", args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run rescli: %v", err)
	}
	return string(out), 0
}
