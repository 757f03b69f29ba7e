package scenario

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos/inject"
)

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

func runFile(t *testing.T, srv *redistest.Server, path string) (*Report, inject.Journal) {
	t.Helper()
	return runFileAt(t, srv.URL(), path)
}

// runFileAt runs the scenario file with REDIS_URL set to url.
func runFileAt(t *testing.T, url, path string) (*Report, inject.Journal) {
	t.Helper()
	s, err := LoadFile(path, func(k string) string {
		if k == "REDIS_URL" {
			return url
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	j := inject.Journal{Dir: filepath.Join(t.TempDir(), "journal")}
	var out strings.Builder
	rep, err := Run(context.Background(), s, Options{Journal: j, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", path, out.String())
	return rep, j
}

// The shipped examples hold against a real redis-server.
func TestExampleScenariosHold(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/scenarios/*.yaml")
	if len(files) < 3 {
		t.Fatalf("found %d example scenarios", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			url, nodes := exampleTarget(t, filepath.Base(f))
			rep, j := runFileAt(t, url, f)
			if !rep.Held {
				t.Fatalf("hypothesis did not hold (abort %q)", rep.Abort)
			}
			for _, st := range rep.Steps {
				if st.Status != StepDone {
					t.Fatalf("step %+v not done in a run that held", st)
				}
			}
			for _, n := range nodes {
				if got := n.Info("maxclients"); got != "10000" {
					t.Fatalf("maxclients left at %s on %s", got, n.Addr)
				}
			}
			if entries, _ := j.List(); len(entries) != 0 {
				t.Fatalf("journal left: %+v", entries)
			}
		})
	}
}

// A rediss:// target: the proxy passes the TLS bytes through and the
// manager behind it speaks TLS (it once sent plain text to a TLS port).
func TestScenarioOverTLS(t *testing.T) {
	_, port, _ := redistest.StartTLS(t)
	url := "rediss://localhost:" + port + "/?skip_verify=true"
	// What is tested here is the TLS path through the proxy; the example's
	// 50ms PING bound is held on plain TCP by TestExampleScenariosHold, and
	// TLS under -race on a loaded CI machine once took 55ms.
	b, err := os.ReadFile("../../../testdata/scenarios/latency-spike.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), "max: 50ms", "max: 500ms", 1)
	if src == string(b) {
		t.Fatal("latency-spike.yaml no longer has its 50ms PING bound; update this test")
	}
	path := filepath.Join(t.TempDir(), "latency-spike-tls.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, _ := runFileAt(t, url, path)
	if !rep.Held {
		t.Fatalf("latency spike over TLS: hypothesis did not hold (abort %q)", rep.Abort)
	}
}

const failing = `name: deliberately failing
target: ${REDIS_URL}
allow: ["127.0.0.1"]
hypothesis:
  - probe: breaker
    expect: CLOSED
    within: 10ms
method:
  - at: 0s
    duration: 30s
    server: {fault: maxclients, args: ["5000"]}
  - at: 200ms
    duration: 30s
    proxy: {type: down}
during:
  - probe: breaker
    expect: CLOSED
abort: {after: 2}
rollbacks:
  - action: revert-server
`

// A scenario that fails: the abort stops the method long before its 30s,
// the verdict is "did not hold", and every fault is undone anyway.
func TestFailingScenarioStillRollsBack(t *testing.T) {
	srv := redistest.Start(t)
	path := filepath.Join(t.TempDir(), "failing.yaml")
	if err := os.WriteFile(path, []byte(failing), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, j := runFile(t, srv, path)
	if rep.Held || rep.Abort == "" {
		t.Fatalf("held=%v abort=%q, want a failed, aborted run", rep.Held, rep.Abort)
	}
	if got := srv.Info("maxclients"); got != "10000" {
		t.Fatalf("maxclients left at %s after the rollback", got)
	}
	if entries, _ := j.List(); len(entries) != 0 {
		t.Fatalf("journal left: %+v", entries)
	}
	var rolled bool
	for _, e := range rep.Events {
		rolled = rolled || (e.Kind == "rollback" && strings.Contains(e.Text, "proxy faults removed"))
	}
	if !rolled {
		t.Fatal("no rollback in the timeline")
	}
}

// exampleTarget starts the deployment an example is written for, by its
// name: sentinel-*.yaml a Sentinel deployment whose nodes are in the
// dev-node register (kill-node may kill them), cluster-*.yaml a Cluster,
// the others one server. It returns the URL and the data nodes.
func exampleTarget(t *testing.T, name string) (string, []*redistest.Server) {
	t.Helper()
	switch {
	case strings.HasPrefix(name, "sentinel-"):
		state := t.TempDir()
		t.Setenv("RESCLI_STATE_DIR", state)
		d := redistest.StartSentinel(t)
		dir := devnode.Dir(func(k string) string { return map[string]string{"RESCLI_STATE_DIR": state}[k] })
		for _, s := range append([]*redistest.Server{d.Master, d.Replica}, d.Sentinels...) {
			if err := s.Register(dir); err != nil {
				t.Fatal(err)
			}
		}
		return d.URL(), []*redistest.Server{d.Master, d.Replica}
	case strings.HasPrefix(name, "cluster-"):
		c := redistest.StartCluster(t)
		return c.URL(), c.Nodes
	}
	srv := redistest.Start(t)
	return srv.URL(), []*redistest.Server{srv}
}
