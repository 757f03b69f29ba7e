package manager

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// fastTopology is fast() for a Sentinel or Cluster URL, keeping the
// default 60s open wait: recovery must come from the topology change, not
// from the timer.
func fastTopology(url string) Options {
	o := fast(url)
	o.Breaker = BreakerSettings{}
	o.ProbeInterval = 200 * time.Millisecond
	return o
}

func TestSentinelMasterKilledUnderLoadFailsOverAndWritesResume(t *testing.T) {
	d := redistest.StartSentinel(t, "--requirepass", "s3cret") // URL: ...?password=s3cret
	m := newManager(t, fastTopology(d.URL()))
	if target := m.Snapshot().Target; strings.Contains(target, "s3cret") || !strings.Contains(target, "password=***") {
		t.Errorf("snapshot target %q: want the password redacted", target)
	}
	sub := m.Subscribe(64)
	var fallbacks atomic.Int64
	w := startWriter(t, func(ctx context.Context) error {
		path, err := m.DoWithFallback(ctx, func(ctx context.Context, c redis.UniversalClient) error {
			return c.Set(ctx, "k", "v", 0).Err()
		}, func(context.Context, error) error { fallbacks.Add(1); return nil })
		if path == PathFallback {
			return errors.New("fallback")
		}
		return err
	})
	w.kill(d.Master.Kill)

	took, err := w.awaitRecovery(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Sentinel: kill -> first successful write %v (%d writes failed or fell back meanwhile)", took.Round(time.Millisecond), w.failed.Load())
	opened := awaitState(t, sub, Open, time.Second)
	half := awaitState(t, sub, HalfOpen, time.Second)
	if !strings.HasPrefix(half.Reason, "sentinels promoted "+d.Replica.Addr) {
		t.Errorf("half-open because %q, want the promotion to end the 60s open wait", half.Reason)
	}
	awaitState(t, sub, Closed, time.Second)
	if fallbacks.Load() == 0 {
		t.Error("no fallback ran while the master was down")
	}
	if opened.OpenFor != 60*time.Second {
		t.Errorf("opened for %v, want the default 60s", opened.OpenFor)
	}
	// Bound: down-after-milliseconds (1s), the Sentinels' vote and promotion,
	// one probe interval and two probes; far below the 60s open wait.
	if took > 10*time.Second {
		t.Errorf("writes resumed %v after the kill, want < 10s", took)
	}
	if s := m.Snapshot(); s.Kind != target.Sentinel || s.Master != d.Replica.Addr || s.State != Closed {
		t.Errorf("snapshot kind=%v master=%s state=%v, want sentinel, %s, CLOSED", s.Kind, s.Master, s.State, d.Replica.Addr)
	}
}

// keysOnEveryMaster returns one key per master, by master address.
func keysOnEveryMaster(t *testing.T, c *redistest.Cluster) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for i := 0; len(keys) < 3 && i < 100; i++ {
		k := fmt.Sprintf("key:%d", i)
		srv, err := c.MasterOf(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := keys[srv.Addr]; !ok {
			keys[srv.Addr] = k
		}
	}
	return keys
}

func TestClusterMasterKilledFailsOnlyItsSlotsAndRecovers(t *testing.T) {
	c := redistest.StartCluster(t)
	m := newManager(t, fastTopology(c.URL()))
	keys := keysOnEveryMaster(t, c)
	victim := c.Masters()[0]
	// With cluster-require-full-coverage (the default) every node answers
	// CLUSTERDOWN between the victim's FAIL and its replica's promotion:
	// that is Redis's own answer. Anything else on the healthy shards
	// (a dial error, an open breaker) would be the client's fault.
	var othersFailed, othersClusterDown atomic.Int64
	var lastOtherErr atomic.Value
	w := startWriter(t, func(ctx context.Context) error {
		var victimErr error
		for addr, k := range keys {
			err := m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Set(ctx, k, "v", 0).Err() })
			switch {
			case addr == victim.Addr:
				victimErr = err
			case Classify(err) == ClusterDown:
				othersClusterDown.Add(1)
			case err != nil:
				othersFailed.Add(1)
				lastOtherErr.Store(err.Error())
			}
		}
		return victimErr
	})
	w.kill(victim.Kill)

	// Before the promotion: only the victim's breaker opens.
	var snap Snapshot
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		snap = m.Snapshot()
		if nodeState(snap, victim.Addr) == Open || time.Now().After(deadline) {
			break
		}
	}
	if got := nodeState(snap, victim.Addr); got != Open {
		t.Fatalf("victim %s breaker %v, want OPEN; nodes %+v", victim.Addr, got, snap.Nodes)
	}
	for _, n := range snap.Nodes { // the snapshot says which shard is down
		if n.Addr == victim.Addr && (n.Role != "master" || len(n.Slots) == 0 || n.LastError == "") {
			t.Errorf("victim node %+v: want role master, its slots and the error", n)
		}
	}
	for _, n := range snap.Nodes {
		if n.Addr != victim.Addr && n.State != Closed {
			t.Errorf("healthy node %s (%s) breaker %v, want CLOSED", n.Addr, n.Role, n.State)
		}
	}
	if snap.State != HalfOpen {
		t.Errorf("summary state with one shard down = %v, want HALF_OPEN", snap.State)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.Collector())
	if n, err := testutil.GatherAndCount(reg, "rescli_redis_node_breaker_state"); err != nil || n < 3*3 {
		t.Errorf("node breaker series: %d, %v; want 3 states for every node", n, err)
	}

	took, err := w.awaitRecovery(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Cluster (reload interval %v): kill -> first write to the dead master's slots %v; healthy shards answered CLUSTERDOWN %d times",
		m.opts.ClusterReloadInterval, took.Round(time.Millisecond), othersClusterDown.Load())
	if n := othersFailed.Load(); n != 0 {
		t.Errorf("%d writes to the healthy shards failed (last: %v)", n, lastOtherErr.Load())
	}
	// Bound: cluster-node-timeout 2s, the replica's election, one reload
	// interval; go-redis's default interval alone is 60s.
	if took > 15*time.Second {
		t.Errorf("writes to the dead master's slots resumed after %v, want < 15s", took)
	}
	for _, n := range m.Snapshot().Nodes {
		if n.Addr != victim.Addr && n.Trips != 0 {
			t.Errorf("healthy node %s (%s) breaker tripped %d times", n.Addr, n.Role, n.Trips)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); m.State() != Closed; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("summary state %v after the promotion, want CLOSED; nodes %+v", m.State(), m.Snapshot().Nodes)
		}
	}
}

func nodeState(s Snapshot, addr string) State {
	for _, n := range s.Nodes {
		if n.Addr == addr {
			return n.State
		}
	}
	return -1
}
