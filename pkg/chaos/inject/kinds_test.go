package inject

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

var local = []string{"127.0.0.1"}

func maxclients(t *testing.T, s *redistest.Server) string {
	t.Helper()
	v, err := s.Client().ConfigGet(context.Background(), "maxclients").Result()
	if err != nil {
		t.Fatal(err)
	}
	return v["maxclients"]
}

// On a Sentinel target a server fault lands on the master the Sentinels
// name, never on a Sentinel; a failover in the middle of the fault does not
// stop `chaos revert` from restoring the node that was changed.
func TestSentinelFaultGoesToTheMasterAndRevertFollowsTheNode(t *testing.T) {
	d := redistest.StartSentinel(t)
	tgt := target.MustParse(d.URL())
	j := Journal{Dir: filepath.Join(t.TempDir(), "j")}
	ctx := context.Background()
	orig := maxclients(t, d.Master)
	plans, _, err := PlanAll(ctx, tgt, Spec{Fault: "maxclients", Args: []string{"50"}, Duration: time.Minute}, Select{}, local, j)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].Target.Node.Addr != d.Master.Addr || plans[0].Target.Node.Role != target.Master {
		t.Fatalf("planned on %+v, want the master %s", plans[0].Target.Node, d.Master.Addr)
	}
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- InjectAll(ictx, plans, j, io.Discard) }()
	waitFor(t, "maxclients 50 on the master", 5*time.Second, func() bool { return maxclients(t, d.Master) == "50" })
	if maxclients(t, d.Replica) != orig {
		t.Fatal("the replica was changed too")
	}

	sc := redis.NewSentinelClient(&redis.Options{Addr: d.Sentinels[0].Addr})
	defer sc.Close()
	if err := sc.Failover(ctx, redistest.MasterName).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Sentinels name the replica", 15*time.Second, func() bool {
		m, err := d.CurrentMaster(ctx)
		return err == nil && m == d.Replica
	})
	// As after a crash: revert from the journal, with the deployment's URL.
	reverted, err := RevertAll(ctx, j, func(e Entry) (*redis.Client, error) { return redis.NewClient(e.Options(&tgt)), nil }, io.Discard)
	if err != nil || len(reverted) != 1 {
		t.Fatalf("revert: %d, %v", len(reverted), err)
	}
	if got := maxclients(t, d.Master); got != orig {
		t.Errorf("old master (now replica) maxclients %s, want %s restored", got, orig)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("inject: %v", err)
	}
	if got := maxclients(t, d.Replica); got != orig {
		t.Errorf("new master maxclients %s, want untouched %s", got, orig)
	}
}

// kill-node on a Sentinel target kills the master (never a Sentinel unless
// named); the Sentinels fail over; the revert restarts the killed node.
func TestSentinelKillNodeKillsTheMaster(t *testing.T) {
	state := t.TempDir()
	t.Setenv("RESCLI_STATE_DIR", state)
	d := redistest.StartSentinel(t)
	dir := devnode.Dir(func(k string) string { return map[string]string{"RESCLI_STATE_DIR": state}[k] })
	for _, s := range append([]*redistest.Server{d.Master, d.Replica}, d.Sentinels...) {
		if err := s.Register(dir); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := devnode.Lookup(dir, d.Master.Addr)
	ctx := context.Background()
	j := Journal{Dir: filepath.Join(t.TempDir(), "j")}
	plans, _, err := PlanAll(ctx, target.MustParse(d.URL()), Spec{Fault: "kill-node", Duration: 5 * time.Second}, Select{}, local, j)
	if err != nil {
		t.Fatal(err)
	}
	if got := plans[0].Target.Node.Addr; got != d.Master.Addr || !strings.Contains(plans[0].Plan.Description, d.Master.Addr) {
		t.Fatalf("kill-node planned on %s (%s), want the master %s", got, plans[0].Plan.Description, d.Master.Addr)
	}
	var log bytes.Buffer
	if err := InjectAll(ctx, plans, j, &log); err != nil {
		t.Fatalf("%v (%s)", err, log.String())
	}
	m, err := d.CurrentMaster(ctx)
	if err != nil || m != d.Replica {
		t.Errorf("after the kill the Sentinels name %v (%v), want the replica promoted", m, err)
	}
	after, err := devnode.Lookup(dir, d.Master.Addr)
	if err != nil || after.PID == before.PID {
		t.Fatalf("the killed master was not restarted: %+v %v", after, err)
	}
	for _, s := range d.Sentinels {
		if s.Info("redis_mode") != "sentinel" {
			t.Errorf("sentinel %s does not answer", s.Addr)
		}
	}
	// A Sentinel is killed only when named, and a Sentinel is no place for
	// other faults.
	plans, _, err = PlanAll(ctx, target.MustParse(d.URL()), Spec{Fault: "kill-node", Args: []string{d.Sentinels[1].Addr}, Duration: time.Second}, Select{}, local, j)
	if err != nil || plans[0].Target.Node.Role != target.SentinelRole {
		t.Errorf("kill-node naming a Sentinel: %+v %v", plans, err)
	}
	if _, _, err := PlanAll(ctx, target.MustParse(d.URL()), Spec{Fault: "maxclients", Args: []string{"5"}, Duration: time.Second}, Select{Node: d.Sentinels[1].Addr}, local, j); !errors.Is(err, ErrKind) {
		t.Errorf("maxclients on a Sentinel: %v, want ErrKind", err)
	}
}

// On a Cluster, --key picks the shard that owns the key: a pause there
// holds that shard's writes while the other shards keep taking them.
func TestClusterPauseByKeyPausesOnlyItsShard(t *testing.T) {
	c := redistest.StartCluster(t)
	tgt := target.MustParse(c.URL())
	ctx := context.Background()
	j := Journal{Dir: filepath.Join(t.TempDir(), "j")}
	owner, err := c.MasterOf(ctx, "user:42")
	if err != nil {
		t.Fatal(err)
	}
	plans, _, err := PlanAll(ctx, tgt, Spec{Fault: "pause", Args: []string{"write"}, Duration: 2 * time.Second}, Select{Key: "user:42"}, local, j)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].Target.Node.Addr != owner.Addr {
		t.Fatalf("pause planned on %v, want only %s", plans, owner.Addr)
	}
	done := make(chan error, 1)
	go func() { done <- InjectAll(ctx, plans, j, io.Discard) }()
	time.Sleep(300 * time.Millisecond)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRetries: -1, ContextTimeoutEnabled: true})
	defer cc.Close()
	other := ""
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		if m, _ := c.MasterOf(ctx, k); m != owner {
			other = k
			break
		}
	}
	start := time.Now()
	if err := cc.Set(ctx, other, "v", 0).Err(); err != nil || time.Since(start) > 500*time.Millisecond {
		t.Errorf("write to another shard during the pause: %v after %v", err, time.Since(start))
	}
	wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := cc.Set(wctx, "user:42", "v", 0).Err(); err == nil {
		t.Error("a write to the paused shard went through")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := cc.Set(ctx, "user:42", "v", 0).Err(); err != nil {
		t.Errorf("write after the pause: %v", err)
	}
}

// What a Cluster needs chosen is refused before anything changes; the
// default is every master.
func TestClusterSelection(t *testing.T) {
	c := redistest.StartCluster(t)
	tgt := target.MustParse(c.URL())
	ctx := context.Background()
	j := Journal{Dir: filepath.Join(t.TempDir(), "j")}
	for _, fault := range []string{"failover", "kill-node"} {
		if _, _, err := PlanAll(ctx, tgt, Spec{Fault: fault, Duration: time.Second}, Select{}, local, j); !errors.Is(err, ErrKind) || !strings.Contains(err.Error(), "--node") {
			t.Errorf("%s on a whole cluster: %v, want ErrKind naming --node", fault, err)
		}
	}
	plans, _, err := PlanAll(ctx, tgt, Spec{Fault: "maxclients", Args: []string{"100"}, Duration: time.Second}, Select{}, local, j)
	if err != nil || len(plans) != 3 {
		t.Fatalf("maxclients on every master: %d plans, %v", len(plans), err)
	}
	for _, np := range plans {
		if np.Target.Node.Role != target.Master {
			t.Errorf("planned on %+v", np.Target.Node)
		}
	}
	master := c.Masters()[0]
	plans, _, err = PlanAll(ctx, tgt, Spec{Fault: "failover", Duration: time.Second}, Select{Node: master.Addr}, local, j)
	if err != nil || plans[0].Target.Node.Role != target.Replica || plans[0].Target.Node.Master != master.Addr {
		t.Errorf("failover of %s is sent to %+v (%v), want its replica", master.Addr, plans, err)
	}
	if _, _, err := PlanAll(ctx, tgt, Spec{Fault: "maxclients", Args: []string{"100"}, Duration: time.Second}, Select{Node: "127.0.0.1:1"}, local, j); !errors.Is(err, ErrKind) {
		t.Errorf("--node outside the cluster: %v", err)
	}
	if _, _, err := PlanAll(ctx, tgt, Spec{Fault: "maxclients", Args: []string{"100"}, Duration: time.Second}, Select{}, []string{"10.*"}, j); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("not allowed: %v", err)
	}
}
