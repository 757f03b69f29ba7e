package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// matrixKind is one kind of deployment every command must handle.
type matrixKind struct {
	name string
	url  string
	env  []string // extra environment (SSL_CERT_FILE for the test CA)
	// faulted are the data nodes a default server fault changes; others
	// are the data nodes it must leave alone.
	faulted, others []*redistest.Server
	// wantTLS, wantAuth: what verify's connectivity check must report.
	wantTLS, wantAuth bool
}

// matrixKinds starts one deployment of each kind, shared by the matrix's
// subtests: a server, the same over TLS verified against a test CA, one
// with an ACL user, a Sentinel deployment and a Cluster.
func matrixKinds(t *testing.T) []matrixKind {
	t.Helper()
	plain := redistest.Start(t)
	tlsSrv, tlsPort, cert := redistest.StartTLS(t)
	acl := redistest.Start(t, "--requirepass", "adminpw")
	if err := acl.Client().Do(context.Background(), "ACL", "SETUSER", "app", "on", ">app pw", "~*", "&*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	d := redistest.StartSentinel(t)
	c := redistest.StartCluster(t)
	return []matrixKind{
		{name: "standalone", url: plain.URL(), faulted: []*redistest.Server{plain}},
		{name: "tls", url: "rediss://localhost:" + tlsPort, env: []string{"SSL_CERT_FILE=" + cert.CertFile},
			faulted: []*redistest.Server{tlsSrv}, wantTLS: true},
		{name: "acl", url: "redis://app:app%20pw@" + acl.Addr, faulted: []*redistest.Server{acl}, wantAuth: true},
		{name: "sentinel", url: d.URL(), faulted: []*redistest.Server{d.Master}, others: []*redistest.Server{d.Replica}, wantAuth: false},
		{name: "cluster", url: c.URL(), faulted: c.Masters(), others: replicasOf(c)},
	}
}

func replicasOf(c *redistest.Cluster) []*redistest.Server {
	var out []*redistest.Server
	for _, n := range c.Nodes {
		if n.Info("role") == "slave" {
			out = append(out, n)
		}
	}
	return out
}

// matrixRun runs the rescli binary with k's environment and returns stdout,
// stderr and the exit code.
func matrixRun(t *testing.T, k matrixKind, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("rescli", args...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "RESCLI_STATE_DIR="+t.TempDir()), k.env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run rescli: %v", err)
	}
	return out.String(), errOut.String(), code
}

// TestEveryCommandOnEveryKind: every command that takes a target, against
// each kind of deployment, shows what it must on that kind.
func TestEveryCommandOnEveryKind(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Sentinel deployment and a Cluster")
	}
	for _, k := range matrixKinds(t) {
		t.Run(k.name, func(t *testing.T) {
			t.Run("herd", func(t *testing.T) { matrixHerd(t, k) })
			t.Run("watch", func(t *testing.T) { matrixWatch(t, k) })
			t.Run("verify", func(t *testing.T) { matrixVerify(t, k) })
			t.Run("health", func(t *testing.T) { matrixHealth(t, k) })
			t.Run("inject", func(t *testing.T) { matrixInject(t, k) })
			t.Run("run", func(t *testing.T) { matrixScenario(t, k) })
		})
	}
}

func matrixHerd(t *testing.T, k matrixKind) {
	out, errOut, code := matrixRun(t, k, "herd", "--redis-url", k.url, "--services", "6", "--steady", "100ms", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Target     string
		Strategies []struct {
			Name     string
			Ready    int
			Failed   int
			PeakConn int `json:"peak_connections"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, s := range rep.Strategies {
		if s.Ready != 6 || s.Failed != 0 || s.PeakConn == 0 {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
	if k.name == "sentinel" && !strings.Contains(rep.Target, "(master "+k.faulted[0].Addr+")") {
		t.Errorf("target %q does not name the master %s", rep.Target, k.faulted[0].Addr)
	}
	if strings.Contains(out, "app pw") || strings.Contains(errOut, "app pw") {
		t.Error("the password was printed")
	}
}

func matrixWatch(t *testing.T, k matrixKind) {
	out, errOut, code := matrixRun(t, k, "watch", "--redis-url", k.url, "-o", "json", "--duration", "2s", "--refresh", "200ms", "--summary", "500ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	type event struct {
		Type, State, Kind, Master string
		Requests                  int
		Nodes                     []struct{ Addr, Role, State string }
	}
	var last event
	// the last summary (the server's reading may follow it)
	for i := len(lines) - 1; i >= 0 && last.Type != "summary"; i-- {
		last = event{}
		if err := json.Unmarshal([]byte(lines[i]), &last); err != nil {
			t.Fatalf("event %q: %v", lines[i], err)
		}
	}
	if last.Type != "summary" {
		t.Fatalf("no summary in:\n%s", out)
	}
	wantKind := map[string]string{"sentinel": "sentinel", "cluster": "cluster"}[k.name]
	if wantKind == "" {
		wantKind = "standalone"
	}
	if last.State != "CLOSED" || last.Requests == 0 || last.Kind != wantKind {
		t.Errorf("summary %+v, want CLOSED with requests on a %s target", last, wantKind)
	}
	switch k.name {
	case "sentinel":
		if last.Master != k.faulted[0].Addr {
			t.Errorf("master %q, want %s", last.Master, k.faulted[0].Addr)
		}
	case "cluster":
		masters := 0
		for _, n := range last.Nodes {
			if n.Role == "master" && n.State == "CLOSED" {
				masters++
			}
		}
		if masters != 3 {
			t.Errorf("nodes %+v, want 3 masters CLOSED", last.Nodes)
		}
	}
}

func matrixVerify(t *testing.T, k matrixKind) {
	out, errOut, code := matrixRun(t, k, "verify", "--redis-url", k.url, "--checks", "connectivity,sentinel,cluster,resilience-breaker", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var rep struct {
		Checks []struct{ Name, Status, Value string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]string{}
	for _, c := range rep.Checks {
		got[c.Name] = c.Status + " " + c.Value
	}
	want := map[string]string{"connectivity": "pass", "resilience-breaker": "pass", "sentinel": "skip", "cluster": "skip"}
	if k.name == "sentinel" || k.name == "cluster" {
		want[k.name] = "pass"
	}
	for name, status := range want {
		if !strings.HasPrefix(got[name], status) {
			t.Errorf("%s: %q, want %s", name, got[name], status)
		}
	}
	if k.wantTLS != strings.Contains(got["connectivity"], "tls on") || k.wantAuth != strings.Contains(got["connectivity"], "auth ok") {
		t.Errorf("connectivity %q: want tls %v, auth %v", got["connectivity"], k.wantTLS, k.wantAuth)
	}
}

func matrixHealth(t *testing.T, k matrixKind) {
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command("rescli", "serve", "--redis-url", k.url, "--listen", "127.0.0.1:0", "--addr-file", addrFile,
		"--health-interval", "200ms", "--workers", "2")
	cmd.Env = append(append(os.Environ(), envAdminToken+"=matrix-token"), k.env...)
	log := &serveOutput{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := watchWait(t, "serve listening", func() string { b, _ := os.ReadFile(addrFile); return string(b) },
		regexp.MustCompile(`^http://\S+`), 20*time.Second)
	var out, errOut string
	var code int
	// Until it passes: a check slower than its threshold while the race
	// detector loads the machine (TLS handshakes most) reports "warn".
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, errOut, code = matrixRun(t, k, "health", "--service", base, "--detailed", "--token", "matrix-token", "-o", "json")
		var top struct{ Status string }
		if code == 0 && json.Unmarshal([]byte(out), &top) == nil && top.Status == "pass" || time.Now().After(deadline) {
			break
		}
	}
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s\nserve: %s", code, errOut, out, log.String())
	}
	var rep struct {
		Status   string
		Services []struct {
			Documents []struct {
				Document struct {
					Redis struct {
						State  string
						Server struct{ Mode, Role string }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Services) != 1 || len(rep.Services[0].Documents) == 0 {
		t.Fatalf("%v: %s", err, out)
	}
	r := rep.Services[0].Documents[0].Document.Redis
	wantMode := map[bool]string{true: "cluster", false: "standalone"}[k.name == "cluster"]
	if rep.Status != "pass" || r.State != "CLOSED" || r.Server.Mode != wantMode || r.Server.Role != "master" {
		t.Errorf("health %s, redis %+v; want pass, CLOSED, a %s master\n%s", rep.Status, r, wantMode, out)
	}
	if strings.Contains(out, "app pw") || strings.Contains(log.String(), "app pw") {
		t.Error("the password was printed")
	}
}

func matrixInject(t *testing.T, k matrixKind) {
	orig := matrixMaxclients(t, k.faulted[0])
	cmd := exec.Command("rescli", "chaos", "inject", "maxclients", "77", "--duration", "3s", "--redis-url", k.url,
		"--allow", "127.0.0.1,localhost", "--yes")
	state := t.TempDir()
	cmd.Env = append(append(os.Environ(), "RESCLI_STATE_DIR="+state), k.env...)
	log := &serveOutput{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for _, n := range k.faulted {
		for matrixMaxclients(t, n) != "77" {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("maxclients never 77 on %s:\n%s", n.Addr, log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, n := range k.others {
		if got := matrixMaxclients(t, n); got != orig {
			t.Errorf("%s (not to be touched) has maxclients %s", n.Addr, got)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("inject: %v\n%s", err, log.String())
	}
	for _, n := range append(k.faulted, k.others...) {
		if got := matrixMaxclients(t, n); got != orig {
			t.Errorf("%s: maxclients %s after the revert, want %s", n.Addr, got, orig)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(state, "chaos-journal")); len(entries) > 1 { // the lock file may stay
		t.Errorf("journal left: %v", entries)
	}
}

func matrixMaxclients(t *testing.T, s *redistest.Server) string {
	t.Helper()
	c := s.Client()
	defer c.Close()
	v, err := c.ConfigGet(context.Background(), "maxclients").Result()
	if err != nil {
		t.Fatal(err)
	}
	return v["maxclients"]
}

const matrixScenarioFile = `name: matrix
target: ${REDIS_URL}
allow: ["127.0.0.1", "localhost"]
load: {rate: 50, workers: 2}
hypothesis:
  - {probe: breaker, expect: CLOSED, within: 10s}
  - {probe: goodput, min: 0.8, window: 1s, within: 10s}
method:
  - {at: 0s, duration: 1s, proxy: {type: latency, stream: both, attributes: {latency: 30}}}
  - {at: 0s, duration: 1s, server: {fault: maxclients, args: ["500"]}}
`

func matrixScenario(t *testing.T, k matrixKind) {
	file := filepath.Join(t.TempDir(), "matrix.yaml")
	if err := os.WriteFile(file, []byte(matrixScenarioFile), 0o600); err != nil {
		t.Fatal(err)
	}
	orig := matrixMaxclients(t, k.faulted[0])
	out, errOut, code := matrixRun(t, k, "chaos", "run", file, "--redis-url", k.url)
	if code != 0 || !strings.Contains(out, "hypothesis held") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, n := range k.faulted {
		if !strings.Contains(out, n.Addr) && len(k.faulted) > 1 {
			t.Errorf("the timeline does not name %s:\n%s", n.Addr, out)
		}
		if got := matrixMaxclients(t, n); got != orig {
			t.Errorf("%s: maxclients %s after the run", n.Addr, got)
		}
	}
}
