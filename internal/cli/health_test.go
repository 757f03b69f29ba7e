package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rescli/rescli/pkg/health"
)

func TestHealthFlags(t *testing.T) {
	g := &Global{Getenv: func(k string) string {
		if k == envAdminToken {
			return "from-env"
		}
		return ""
	}}
	cmd := NewHealthCmd(g)
	if err := cmd.ParseFlags([]string{"--service", "http://a:1", "--service", "http://b:2/actuator/health",
		"--detailed", "--fail-on-warn", "--timeout", "3s"}); err != nil {
		t.Fatal(err)
	}
	f := cmd.Flags()
	services, _ := f.GetStringArray("service")
	timeout, _ := f.GetDuration("timeout")
	if !slices.Equal(services, []string{"http://a:1", "http://b:2/actuator/health"}) || timeout.Seconds() != 3 {
		t.Errorf("parsed services=%v timeout=%v", services, timeout)
	}
	if def := f.Lookup("token").DefValue; def != "" {
		t.Errorf("--token default %q: the env value must never show in help", def)
	}
}

func TestHealthVerdict(t *testing.T) {
	unreachable := health.ServiceReport{Err: health.ErrUnreachable, Error: "unreachable"}
	cases := []struct {
		name       string
		statuses   []health.ServiceReport
		failOnWarn bool
		want       int
	}{
		{"all pass", []health.ServiceReport{{Status: health.Pass}, {Status: health.Pass}}, false, ExitOK},
		{"warn passes", []health.ServiceReport{{Status: health.Pass}, {Status: health.Warn}}, false, ExitOK},
		{"fail-on-warn", []health.ServiceReport{{Status: health.Warn}}, true, ExitCheckFailed},
		{"one fails", []health.ServiceReport{{Status: health.Pass}, {Status: health.Fail}}, false, ExitCheckFailed},
		{"unreachable fails", []health.ServiceReport{{Status: health.Pass}, unreachable}, false, ExitCheckFailed},
		{"rejected token is a usage error", []health.ServiceReport{{Status: health.Pass},
			{Err: health.ErrForbidden, Error: "admin token rejected (403)"}}, false, ExitError},
	}
	for _, tc := range cases {
		err := healthVerdict(tc.statuses, tc.failOnWarn)
		if got := ExitCode(err); got != tc.want {
			t.Errorf("%s: exit %d (%v), want %d", tc.name, got, err, tc.want)
		}
		if tc.want == ExitCheckFailed && !errors.Is(err, ErrCheckFailed) {
			t.Errorf("%s: %v does not wrap ErrCheckFailed", tc.name, err)
		}
	}
}

func TestServeFlags(t *testing.T) {
	g := &Global{Getenv: func(string) string { return "" }}
	cmd := NewServeCmd(g)
	if err := cmd.ParseFlags([]string{"--listen", "0.0.0.0:9000", "--workers", "40", "--rate", "2.5",
		"--fail-service", "background_services"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ flag, want string }{
		{"listen", "0.0.0.0:9000"}, {"workers", "40"}, {"rate", "2.5"}, {"fail-service", "background_services"},
		{"health-interval", "5s"}, {"open-timeout", "1m0s"},
	} {
		if got := cmd.Flags().Lookup(tc.flag).Value.String(); got != tc.want {
			t.Errorf("--%s = %s, want %s", tc.flag, got, tc.want)
		}
	}
	bad := []serveOptions{
		{Workers: -1, Rate: 1, PoolSize: 1, HealthInterval: 1, OpenTimeout: 1, Timeout: 1, StopTimeout: 1},
		{Workers: 1, Rate: 0, PoolSize: 1, HealthInterval: 1, OpenTimeout: 1, Timeout: 1, StopTimeout: 1},
		{Workers: 1, Rate: 1, PoolSize: 1, HealthInterval: 1, OpenTimeout: 1, Timeout: 1, StopTimeout: 1, FailService: "x"},
		{Workers: 1, Rate: 1, PoolSize: 1, HealthInterval: 0, OpenTimeout: 1, Timeout: 1, StopTimeout: 1},
		{Workers: 1, Rate: 1, PoolSize: 1, HealthInterval: 1, OpenTimeout: 1, Timeout: 1, StopTimeout: 1, DatabaseDelay: -1},
	}
	good := serveOptions{Workers: 0, Rate: 1, PoolSize: 1, HealthInterval: 1, OpenTimeout: 1, Timeout: 1, StopTimeout: 1,
		FailService: "database"}
	if err := good.validate(); err != nil {
		t.Errorf("validate(%+v) = %v, want nil", good, err)
	}
	for _, o := range bad {
		var ue *UsageError
		if err := o.validate(); !errors.As(err, &ue) {
			t.Errorf("validate(%+v) = %v, want a usage error", o, err)
		}
	}
}

// rescli health reads other services' formats and judges them: a Spring
// Boot service that is DOWN fails (exit 1); a Kubernetes readyz passes.
func TestHealthReadsOtherFormats(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/actuator/health":
			w.Header().Set("Content-Type", "application/vnd.spring-boot.actuator.v3+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":"DOWN","components":{"db":{"status":"UP"},`+
				`"redis":{"status":"DOWN","details":{"error":"Unable to connect to redis://:hunter2@cache:6379"}}}}`)
		case "/readyz":
			_, _ = io.WriteString(w, "[+]ping ok\n[+]etcd ok\nreadyz check passed\n")
		}
	}))
	defer ts.Close()
	var out, errOut bytes.Buffer
	g := &Global{Output: "table", NoColor: true, IO: IOStreams{Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }}
	err := runHealth(context.Background(), g, &healthOptions{
		Services: []string{ts.URL + "/actuator/health", ts.URL + "/readyz?verbose"}, Timeout: 2 * time.Second})
	if ExitCode(err) != ExitCheckFailed {
		t.Errorf("exit %d (%v), want 1", ExitCode(err), err)
	}
	for _, want := range []string{"/actuator/health  FAIL  (actuator", "redis:status", "redis://:***@cache:6379",
		"/readyz?verbose  PASS  (kubernetes", "etcd:status", "2 services: 1 pass, 0 warn, 1 fail, 0 error"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Error("output contains the password")
	}
}

func TestClipKeepsUTF8(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 4, "abc…"},
		{"ab→cd", 4, "ab…"}, // "→" is 3 bytes: not split
		{"ab→cd", 6, "ab→…"},
	} {
		got := clip(tc.s, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// A service that serves /health but not the admin documents (404) is
// judged by its own verdict: the missing documents are reported as not
// available, not as a service that could not be checked.
func TestHealthServiceWithoutAdminEndpoints(t *testing.T) {
	var failing atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != health.PathBasic {
			http.NotFound(w, r)
			return
		}
		verdict := health.Pass
		if failing.Load() {
			verdict = health.Fail
		}
		w.Header().Set("Content-Type", health.MediaType)
		w.WriteHeader(verdict.HTTPCode())
		_, _ = io.WriteString(w, `{"status":"`+string(verdict)+`"}`)
	}))
	defer ts.Close()
	run := func(output string, detailed bool) (string, error) {
		var out bytes.Buffer
		g := &Global{Output: output, NoColor: true, IO: IOStreams{Out: &out, ErrOut: io.Discard}, Getenv: func(string) string { return "" }}
		err := runHealth(context.Background(), g, &healthOptions{
			Services: []string{ts.URL}, Token: "s3cret", Detailed: detailed, Timeout: 2 * time.Second})
		return out.String(), err
	}

	for _, detailed := range []bool{false, true} {
		out, err := run("table", detailed)
		if err != nil {
			t.Errorf("detailed=%v: exit %d (%v), want 0 for a passing service\n%s", detailed, ExitCode(err), err, out)
		}
		for _, want := range []string{ts.URL + "  PASS", "not available (404): /health/", "1 service: 1 pass, 0 warn, 0 fail, 0 error"} {
			if !strings.Contains(out, want) {
				t.Errorf("detailed=%v: output lacks %q:\n%s", detailed, want, out)
			}
		}
		if strings.Contains(out, "error:") {
			t.Errorf("detailed=%v: a missing admin document printed as an error:\n%s", detailed, out)
		}
	}
	out, err := run("json", false)
	var compact bytes.Buffer
	_ = json.Compact(&compact, []byte(out))
	out = compact.String()
	if err != nil || !strings.Contains(out, `"status":"pass","documents"`) ||
		!strings.Contains(out, `"unavailable":["`+ts.URL+`/health/redis","`+ts.URL+`/health/services"]`) {
		t.Errorf("json: exit %d (%v)\n%s", ExitCode(err), err, out)
	}

	// The exit code stays the service's own: a failing /health fails.
	failing.Store(true)
	if out, err := run("table", false); ExitCode(err) != ExitCheckFailed || !strings.Contains(out, "FAIL") {
		t.Errorf("failing service: exit %d (%v), want 1\n%s", ExitCode(err), err, out)
	}
}

// A figure from an earlier poll is shown with its age, and one whose source
// failed as "—", never as if current (Redis dead: the last ping and client
// counts used to read as fresh).
func TestRedisLineSaysWhatIsStale(t *testing.T) {
	g := &Global{Getenv: func(string) string { return "1" }}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ri := &health.RedisInfo{Target: "redis://h:1", State: "OPEN", StateSince: now.Add(-time.Minute),
		PingAt: now.Add(-42 * time.Second), PingMS: 0.099,
		Server: &health.ServerFacts{At: now.Add(-40 * time.Second), ConnectedClients: 7, MaxClients: 100}}
	line := redisLine(g, ri, now)
	for _, want := range []string{"ping 0.099 ms, 42s ago", "clients 7/100, rejected 0, 40s ago"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	ri.PingError, ri.Server.Error = "dial tcp: connection refused", "read INFO: circuit open"
	line = redisLine(g, ri, now)
	if strings.Contains(line, "0.099") || strings.Contains(line, "7/100") ||
		!strings.Contains(line, "ping — (dial tcp: connection refused)") || !strings.Contains(line, "clients —") {
		t.Errorf("unreachable source still shows old figures: %q", line)
	}
	ri.PingError, ri.Server.Error, ri.PingAt, ri.Server.At = "", "", now.Add(-time.Second), now.Add(-time.Second)
	if line = redisLine(g, ri, now); strings.Contains(line, "ago") {
		t.Errorf("fresh figures marked old: %q", line)
	}
}
