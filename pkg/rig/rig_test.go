package rig

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/target"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newRig(t *testing.T, url string, o Options) *Rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := New(ctx, target.MustParse(url), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func newManager(t *testing.T, r *Rig) *manager.Manager {
	t.Helper()
	m, err := r.Manager(manager.Options{Name: t.Name(), Breaker: manager.BreakerSettings{FailureThreshold: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func waitState(t *testing.T, m *manager.Manager, want manager.State, op func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for m.State() != want {
		if op != nil {
			_ = op()
		}
		if time.Now().After(deadline) {
			t.Fatalf("breaker %s, want %s", m.State(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// One server: the manager's connections go through the proxy, a fault on
// the rig opens its breaker and clearing it lets the breaker close by
// itself; Setup ran on the proxy.
func TestRigOneServer(t *testing.T) {
	s := redistest.Start(t)
	setups := 0
	r := newRig(t, s.URL(), Options{Setup: func(*chaos.Proxy) error { setups++; return nil }})
	m := newManager(t, r)
	ctx := context.Background()
	if err := m.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Proxies()); n != 1 || setups != 1 || r.Stats().Accepted == 0 {
		t.Fatalf("%d proxies, %d setups, stats %+v", n, setups, r.Stats())
	}
	if err := r.AddToxic(chaos.Toxic{Name: "bh", Type: "timeout", Stream: chaos.StreamBoth, Toxicity: 1}); err != nil {
		t.Fatal(err)
	}
	ping := func() error { return m.Client().Ping(ctx).Err() }
	waitState(t, m, manager.Open, ping)
	if err := r.Clear(); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, manager.Closed, nil)
}

// A Cluster: every node has a proxy, the cluster client's redirects land on
// them, and a blackhole on the shard that owns one key leaves the others
// serving.
func TestRigClusterOneShardBlackholed(t *testing.T) {
	c := redistest.StartCluster(t)
	r := newRig(t, c.URL(), Options{Name: "cl"})
	if n := len(r.Proxies()); n != 6 {
		t.Fatalf("%d proxies, want 6", n)
	}
	m := newManager(t, r)
	ctx := context.Background()
	keys := map[string]string{} // key -> owner
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if err := m.Client().Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
		o, _ := r.Topology().OwnerOf(k)
		keys[k] = o.Addr
	}
	victim := keys["a"]
	if err := r.AddToxicTo(victim, chaos.Toxic{Name: "bh", Type: "timeout", Stream: chaos.StreamBoth, Toxicity: 1}); err != nil {
		t.Fatal(err)
	}
	others := 0
	for k, owner := range keys {
		err := m.Client().Set(ctx, k, "w", 0).Err()
		if owner == victim {
			if err == nil {
				t.Errorf("SET %s on the blackholed shard succeeded", k)
			}
			continue
		}
		others++
		if err != nil {
			t.Errorf("SET %s on a healthy shard %s: %v", k, owner, err)
		}
	}
	if others == 0 {
		t.Fatal("every key on one shard: pick other keys")
	}
}

// Sentinel: the master and replica each get a proxy, the Sentinels are
// dialled directly, and after a failover the manager reaches the promoted
// replica through its proxy.
func TestRigSentinelFailover(t *testing.T) {
	d := redistest.StartSentinel(t)
	r := newRig(t, d.URL(), Options{Name: "se"})
	if n := len(r.Proxies()); n != 2 {
		t.Fatalf("%d proxies, want master and replica", n)
	}
	m := newManager(t, r)
	ctx := context.Background()
	if err := m.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	rp, _ := r.Proxy(d.Replica.Addr)
	before := rp.Stats().Accepted
	d.Master.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := m.Client().Set(ctx, "k", "w", 0).Err()
		if err == nil {
			break
		}
		var re redis.Error
		if time.Now().After(deadline) {
			t.Fatalf("no write after the failover: %v (%v)", err, errors.As(err, &re))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rp.Stats().Accepted == before {
		t.Error("the promoted replica was reached without its proxy")
	}
}
