package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

var topologyChecks = []string{"connectivity", "replication", "sentinel", "cluster"}

// awaitStatus reruns check until it reports want and its value contains
// sub (Sentinels and cluster nodes take a moment to notice a death), or
// fails after limit.
func awaitStatus(t *testing.T, url, check string, want Status, sub string, limit time.Duration) Result {
	t.Helper()
	var r Result
	for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
		rep, err := Run(context.Background(), Options{RedisURL: url, Only: []string{check}})
		if err != nil {
			t.Fatalf("verify %s: %v", check, err)
		}
		r = statusOf(t, rep, check)
		if r.Status == want && strings.Contains(r.Value, sub) || time.Now().After(deadline) {
			break
		}
	}
	if r.Status != want || !strings.Contains(r.Value, sub) {
		t.Fatalf("%s: %s %q, want %s with %q", check, r.Status, r.Value, want, sub)
	}
	return r
}

func TestSentinelCheckPassesHealthyAndFailsWithHints(t *testing.T) {
	d := redistest.StartSentinel(t)
	rep, err := Run(context.Background(), Options{RedisURL: d.URL(), Only: topologyChecks})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		want := Pass
		if r.Name == "cluster" {
			want = Skipped
		}
		if r.Status != want {
			t.Errorf("%s: %s %q (hint %q), want %s", r.Name, r.Status, r.Value, r.Hint, want)
		}
	}
	if v := statusOf(t, rep, "sentinel").Value; !strings.Contains(v, "3/3 sentinels") || !strings.Contains(v, "master "+d.Master.Addr) {
		t.Errorf("sentinel value %q", v)
	}

	d.Replica.Kill()
	r := awaitStatus(t, d.URL(), "sentinel", Fail, "0 replica(s) linked", 10*time.Second)
	if !strings.Contains(r.Hint, "no replica is linked") {
		t.Errorf("replica down: hint %q", r.Hint)
	}
	d.Sentinels[0].Kill()
	d.Sentinels[1].Kill()
	r = awaitStatus(t, d.URL(), "sentinel", Fail, "1/3 sentinels", 5*time.Second)
	if !strings.Contains(r.Hint, "quorum") {
		t.Errorf("two sentinels down: %q hint %q", r.Value, r.Hint)
	}
}

func TestClusterCheckPassesHealthyAndFailsWithHints(t *testing.T) {
	c := redistest.StartCluster(t)
	rep, err := Run(context.Background(), Options{RedisURL: c.URL(), Only: topologyChecks})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		want := Pass
		if r.Name == "sentinel" {
			want = Skipped
		}
		if r.Status != want {
			t.Errorf("%s: %s %q (hint %q), want %s", r.Name, r.Status, r.Value, r.Hint, want)
		}
	}
	var replica *redistest.Server
	for _, n := range c.Nodes {
		if n.Info("role") == "slave" && n.Addr != c.Nodes[0].Addr {
			replica = n
			break
		}
	}
	replica.Kill()
	// First its master is left without a linked replica; once the other
	// nodes agree (cluster-node-timeout 2s) the replica is flagged fail.
	r := awaitStatus(t, c.URL(), "cluster", Fail, replica.Addr+" slave,fail", 15*time.Second)
	if !strings.Contains(r.Hint, "fail") {
		t.Errorf("replica %s down: %q hint %q", replica.Addr, r.Value, r.Hint)
	}
}

func TestTopologyChecksSkipOnStandalone(t *testing.T) {
	srv := redistest.Start(t)
	rep, err := Run(context.Background(), Options{RedisURL: srv.URL(), Only: topologyChecks})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sentinel", "cluster"} {
		if r := statusOf(t, rep, name); r.Status != Skipped {
			t.Errorf("%s on a standalone server: %s %q, want skipped", name, r.Status, r.Value)
		}
	}
	if rep.Failed() {
		t.Errorf("report failed: %+v", rep.Results)
	}
}
