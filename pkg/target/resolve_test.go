package target

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A Sentinel target resolves to the master the Sentinels name, authenticating
// to the data nodes with the URL's data credentials, and to the new master
// after a failover, asked again.
func TestResolveSentinelFollowsAFailover(t *testing.T) {
	d := redistest.StartSentinel(t, "--requirepass", "datapw")
	tgt := MustParse(d.URL()) // ?password=datapw for the data nodes
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topo, err := tgt.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := topo.Master()
	if !ok || m.Addr != d.Master.Addr || len(topo.Replicas(m.Addr)) != 1 || topo.Replicas(m.Addr)[0].Addr != d.Replica.Addr {
		t.Fatalf("topology %+v, want master %s with replica %s", topo, d.Master.Addr, d.Replica.Addr)
	}
	if len(topo.Sentinels) != 3 || !topo.IsSentinel(d.Sentinels[2].Addr) || topo.IsSentinel(m.Addr) {
		t.Errorf("sentinels %v", topo.Sentinels)
	}
	// The data credentials reach the master.
	c := tgt.NodeClient(m.Addr)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Errorf("SET on the resolved master with the URL's data password: %v", err)
	}
	_ = c.Close()

	d.Master.Kill()
	for {
		topo, err = tgt.Resolve(ctx)
		if err == nil {
			if m, _ := topo.Master(); m.Addr == d.Replica.Addr {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("never resolved the promoted replica: %+v %v", topo, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A Sentinel target whose Sentinels all refuse is an ErrUnresolved that
// names each Sentinel's error and no password.
func TestResolveSentinelUnreachable(t *testing.T) {
	tgt := MustParse("redis+sentinel://:topsecret@127.0.0.1:1,127.0.0.1:2/mymaster")
	_, err := tgt.Resolve(context.Background())
	if !errors.Is(err, ErrUnresolved) || !strings.Contains(err.Error(), "127.0.0.1:2") || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("err = %v", err)
	}
}

// A Cluster target resolves to every master and replica with the slots each
// owns; OwnerOf agrees with the cluster itself.
func TestResolveCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	tgt := MustParse("redis+cluster://127.0.0.1:1," + c.Nodes[4].Addr) // a dead seed first
	ctx := context.Background()
	topo, err := tgt.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Nodes) != 6 || len(topo.Masters()) != 3 || topo.Via != c.Nodes[4].Addr {
		t.Fatalf("topology %+v", topo)
	}
	covered := 0
	for _, m := range topo.Masters() {
		for _, r := range m.Slots {
			covered += r.To - r.From + 1
		}
		if len(topo.Replicas(m.Addr)) != 1 {
			t.Errorf("master %s has replicas %v", m.Addr, topo.Replicas(m.Addr))
		}
	}
	if covered != Slots {
		t.Errorf("masters cover %d slots", covered)
	}
	for _, key := range []string{"a", "user:1", "{user:1}.x", "zz", "{}x", "x{}{y}"} {
		want, err := c.MasterOf(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := topo.OwnerOf(key)
		if !ok || got.Addr != want.Addr {
			t.Errorf("OwnerOf(%q) = %s, cluster says %s", key, got.Addr, want.Addr)
		}
	}
	addrs := topo.Addrs()
	if !slices.IsSorted(addrs) {
		t.Errorf("nodes not sorted: %v", addrs)
	}
}

// Redis's own CLUSTER KEYSLOT values.
func TestSlot(t *testing.T) {
	for key, want := range map[string]int{"foo": 12182, "bar": 5061, "{user1000}.following": 3443, "user1000": 3443, "": 0} {
		if got := Slot([]byte(key)); got != want {
			t.Errorf("Slot(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestParseClusterNodes(t *testing.T) {
	raw := `07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 connected 10923-16383 [10930->-abc]
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 7000
6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 master,noaddr - 0 0 5 disconnected`
	nodes := ParseClusterNodes(raw)
	if len(nodes) != 5 {
		t.Fatalf("%d nodes", len(nodes))
	}
	r, m2, m3, me := nodes[0], nodes[1], nodes[2], nodes[3]
	if r.Addr != "127.0.0.1:30004" || r.Role != Replica || r.Master != "127.0.0.1:30001" {
		t.Errorf("replica %+v", r)
	}
	if m2.Role != Master || len(m2.Slots) != 1 || m2.Slots[0] != (SlotRange{5461, 10922}) || m2.Down {
		t.Errorf("master %+v", m2)
	}
	if !m3.Down || len(m3.Slots) != 1 {
		t.Errorf("failed master %+v", m3)
	}
	if !me.Myself || len(me.Slots) != 2 || me.Slots[1] != (SlotRange{7000, 7000}) || !me.Owns(7000) || me.Owns(7001) {
		t.Errorf("myself %+v", me)
	}
	if !nodes[4].NoAddr || nodes[4].Connected {
		t.Errorf("noaddr %+v", nodes[4])
	}
}
