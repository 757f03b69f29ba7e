package inject

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// injectOnce plans s on the deployment at url as the CLI does, applies it
// and waits for its revert; it returns the plans' descriptions.
func injectOnce(t *testing.T, url string, s Spec, sel Select) string {
	t.Helper()
	j := Journal{Dir: filepath.Join(t.TempDir(), "j")}
	plans, _, err := PlanAll(context.Background(), target.MustParse(url), s, sel, []string{"127.0.0.1"}, j)
	if err != nil {
		t.Fatalf("plan %s: %v", s.Fault, err)
	}
	var log bytes.Buffer
	if err := InjectAll(context.Background(), plans, j, &log); err != nil {
		t.Fatalf("inject %s: %v (%s)", s.Fault, err, log.String())
	}
	var descs []string
	for _, np := range plans {
		descs = append(descs, np.Target.Node.Addr+": "+np.Plan.Description)
	}
	return strings.Join(descs, "\n")
}

func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
	}
}

func TestFailoverThroughSentinelPromotesTheReplica(t *testing.T) {
	d := redistest.StartSentinel(t)
	// A failover takes no duration: it is applied, and nothing waits for
	// a TTL (it once demanded --duration and then waited it out).
	start := time.Now()
	desc := injectOnce(t, d.URL(), Spec{Fault: "failover"}, Select{})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a failover took %v to return", took)
	}
	t.Log(desc)
	waitFor(t, "sentinels name the replica master", 15*time.Second, func() bool {
		m, err := d.CurrentMaster(context.Background())
		return err == nil && m == d.Replica
	})
}

func TestClusterFailoverOnAMasterPromotesItsReplica(t *testing.T) {
	c := redistest.StartCluster(t)
	master := c.Masters()[0]
	desc := injectOnce(t, master.URL(), Spec{Fault: "failover", Duration: 100 * time.Millisecond}, Select{})
	t.Log(desc)
	waitFor(t, master.Addr+" demoted to replica", 10*time.Second, func() bool { return master.Info("role") == "slave" })
	if err := c.WaitHealthy(10 * time.Second); err != nil {
		t.Fatalf("cluster after a failover: %v", err)
	}
}

func TestKillNodeKillsOnlyRegisteredNodesAndRestartsThem(t *testing.T) {
	state := t.TempDir()
	t.Setenv("RESCLI_STATE_DIR", state)
	srv := redistest.Start(t)
	tgt := newTarget(t, srv.URL())
	c := tgt.Client(time.Second)
	defer c.Close()
	if _, err := NewPlan(context.Background(), c, Spec{Fault: "kill-node", Duration: time.Second}); !errors.Is(err, devnode.ErrNotRegistered) {
		t.Fatalf("kill-node on a server rescli did not start: %v, want ErrNotRegistered", err)
	}

	dir := devnode.Dir(func(k string) string { return map[string]string{"RESCLI_STATE_DIR": state}[k] })
	if err := srv.Register(dir); err != nil {
		t.Fatal(err)
	}
	before, _ := devnode.Lookup(dir, srv.Addr)
	down := make(chan bool, 1)
	go func() {
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if !before.Alive() {
				down <- true
				return
			}
		}
		down <- false
	}()
	injectOnce(t, srv.URL(), Spec{Fault: "kill-node", Duration: 300 * time.Millisecond}, Select{})
	if !<-down {
		t.Fatal("the node never went down")
	}
	after, err := devnode.Lookup(dir, srv.Addr)
	if err != nil || after.PID == before.PID {
		t.Fatalf("after the fault: %+v, %v; want a restarted process", after, err)
	}
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING after the restart: %v", err)
	}
}
