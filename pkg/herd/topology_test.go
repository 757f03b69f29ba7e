package herd

import (
	"context"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// A herd against a Sentinel target meets the master the Sentinels name; one
// against a Cluster spreads over every node, each behind its own proxy.
func TestHerdAgainstSentinelAndCluster(t *testing.T) {
	d := redistest.StartSentinel(t)
	c := redistest.StartCluster(t)
	for _, tc := range []struct {
		name, url string
		nodes     int
	}{{"sentinel", d.URL(), 1}, {"cluster", c.URL(), 6}} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Run(context.Background(), Config{RedisURL: tc.url, Services: 10, MaxClients: 50,
				StartupTimeout: 3 * time.Second, Steady: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"naive", "managed"} {
				r := byName(t, rep, name)
				if r.Ready != 10 || r.Failed != 0 || r.Commands == 0 {
					t.Errorf("%s: ready=%d failed=%d commands=%d errors=%v", name, r.Ready, r.Failed, r.Commands, r.Errors)
				}
			}
			if tc.name == "sentinel" && rep.Target != redactedSentinel(d) {
				t.Errorf("target label %q", rep.Target)
			}
			tgt, err := resolveServer(context.Background(), tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(tgt.upstreams()); got != tc.nodes {
				t.Errorf("%d upstreams, want %d", got, tc.nodes)
			}
			res, err := Contend(context.Background(), ContendConfig{RedisURL: tc.url, Clients: 4, Policies: []string{"full"}})
			if err != nil || len(res) != 1 || res[0].Final != 4 {
				t.Errorf("contend: %+v, %v; want 4 increments", res, err)
			}
		})
	}
}

func redactedSentinel(d *redistest.Sentinel) string {
	return d.URL() + " (master " + d.Master.Addr + ")"
}
