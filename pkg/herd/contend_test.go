package herd

import (
	"context"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// Every policy ends with each client's increment applied exactly once; the
// calls it took are reported, not asserted (that is the benchmark's job).
func TestContendAppliesEveryIncrementOnce(t *testing.T) {
	srv := redistest.Start(t)
	res, err := Contend(context.Background(), ContendConfig{Clients: 30, RedisURL: srv.URL(), Seed: 1, Cap: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results, want 4 policies", len(res))
	}
	for _, r := range res {
		t.Logf("%-12s calls %5d conflicts %5d %5d ms", r.Policy, r.Calls, r.Conflicts, r.DurationMS)
		if r.Final != 30 || r.Calls != 30+r.Conflicts {
			t.Errorf("%s: final %d, calls %d, conflicts %d", r.Policy, r.Final, r.Calls, r.Conflicts)
		}
	}
}
