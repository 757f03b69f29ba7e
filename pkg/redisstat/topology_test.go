package redisstat

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/localredis"
	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// A Sentinel target names the master now and when it changed: a hint
// from the manager resolves at once.
func TestSampleFollowsTheSentinelMaster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Sentinel deployment")
	}
	d := redistest.StartSentinel(t)
	clk := newClock()
	var hint string
	var mu sync.Mutex
	s := New(target.MustParse(d.URL()), Options{Now: clk.now, ResolveEvery: time.Hour,
		MasterHint: func() string { mu.Lock(); defer mu.Unlock(); return hint }})
	defer s.Close()
	ctx := context.Background()
	first := s.Sample(ctx)
	if first.Kind != target.Sentinel || first.Master != d.Master.Addr || !first.MasterSince.IsZero() || len(first.Nodes) != 2 {
		t.Fatalf("first sample %+v", first)
	}
	for _, n := range first.Nodes {
		if n.Addr == d.Replica.Addr && (n.Role != "replica" || n.Lag < 0) {
			t.Errorf("replica %+v: want its lag from the master's INFO", n)
		}
	}
	sc := redis.NewSentinelClient(&redis.Options{Addr: d.SentinelAddrs()[0]})
	defer sc.Close()
	if err := sc.Failover(ctx, redistest.MasterName).Err(); err != nil {
		t.Fatal(err)
	}
	if err := localredis.WaitUntil(30*time.Second, func() error {
		if m, err := d.CurrentMaster(ctx); err != nil || m != d.Replica {
			return fmt.Errorf("master still %v (%v)", m, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Second)
	if again := s.Sample(ctx); again.Master != d.Master.Addr {
		t.Fatalf("resolved without a hint or the cadence: %+v", again)
	}
	mu.Lock()
	hint = d.Replica.Addr
	mu.Unlock()
	// Every Sentinel learns of the failover in its own time: while the hint
	// names another master, each sample resolves again
	var moved Sample
	deadline := time.Now().Add(20 * time.Second)
	for moved.Master != d.Replica.Addr && time.Now().Before(deadline) {
		clk.add(time.Second)
		moved = s.Sample(ctx)
		time.Sleep(100 * time.Millisecond) // the Sentinels converge in real time
	}
	if moved.Master != d.Replica.Addr || moved.PrevMaster != d.Master.Addr || !moved.MasterSince.Equal(clk.now()) {
		t.Errorf("after the failover (replica %s, master %s): %+v", d.Replica.Addr, d.Master.Addr, moved)
	}
}

// A Cluster target has one row per node, each with its role, and each
// replica its lag.
func TestSampleClusterRowPerNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Cluster")
	}
	c := redistest.StartCluster(t)
	s := New(target.MustParse(c.URL()), Options{Now: newClock().now})
	defer s.Close()
	got := s.Sample(context.Background())
	roles := map[string]int{}
	for _, n := range got.Nodes {
		if n.Err != "" {
			t.Errorf("%s: %s", n.Addr, n.Err)
		}
		roles[n.Role]++
		if n.Role == "replica" && n.Lag < 0 {
			t.Errorf("%s: replica without a lag", n.Addr)
		}
	}
	if len(got.Nodes) != 6 || roles["master"] != 3 || roles["replica"] != 3 || got.Master != "" {
		t.Errorf("nodes %d roles %v master %q", len(got.Nodes), roles, got.Master)
	}
	if !strings.Contains(got.Via, "127.0.0.1:") {
		t.Errorf("via %q", got.Via)
	}
}
