package inject

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// fill writes n keys of 1 KB each.
func fill(t *testing.T, c *redis.Client, n int) {
	t.Helper()
	ctx := context.Background()
	pipe := c.Pipeline()
	for i := range n {
		pipe.Set(ctx, fmt.Sprintf("key:%d", i), strings.Repeat("x", 1024), 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// A maxmemory below the memory in use, under a policy that evicts, would
// destroy keys: it is refused with an estimate of what would go, and
// nothing changes; acknowledged, it is planned and says what it destroys.
func TestMaxmemoryThatWouldEvictNeedsAcknowledgement(t *testing.T) {
	srv, tgt, _ := setup(t, "--maxmemory-policy", "allkeys-lru")
	admin := srv.Client()
	ctx := context.Background()
	fill(t, admin, 2000)
	c := tgt.Client(0)
	defer c.Close()

	_, err := NewPlan(ctx, c, Spec{Fault: "maxmemory", Args: []string{"1"}, Duration: 2 * time.Second})
	if !errors.Is(err, ErrDataLoss) {
		t.Fatalf("maxmemory 1 under allkeys-lru: %v, want ErrDataLoss", err)
	}
	for _, want := range []string{"2000 of 2000 keys", "estimate", "allkeys-lru", "--allow-data-loss"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	if n := admin.DBSize(ctx).Val(); n != 2000 {
		t.Fatalf("keys after the refusal = %d, want 2000", n)
	}
	if got := admin.ConfigGet(ctx, "maxmemory").Val()["maxmemory"]; got != "0" {
		t.Fatalf("maxmemory after the refusal = %s, want 0", got)
	}

	p, err := NewPlan(ctx, c, Spec{Fault: "maxmemory", Args: []string{"1"}, Duration: 2 * time.Second, AllowDataLoss: true})
	if err != nil || !strings.Contains(p.Warning, "2000 of 2000 keys") {
		t.Fatalf("acknowledged: %v, %+v; want a plan that says what it destroys", err, p)
	}

	// A limit above the memory in use evicts nothing now: no refusal.
	if _, err := NewPlan(ctx, c, Spec{Fault: "maxmemory", Args: []string{"1000000000"}, Duration: 2 * time.Second}); err != nil {
		t.Fatalf("maxmemory 1 GB: %v", err)
	}
}

// Under noeviction a low maxmemory makes writes fail with OOM and loses
// nothing: it goes ahead and the plan says so.
func TestMaxmemoryUnderNoevictionSaysWritesFail(t *testing.T) {
	srv, tgt, _ := setup(t, "--maxmemory-policy", "noeviction")
	fill(t, srv.Client(), 200)
	c := tgt.Client(0)
	defer c.Close()
	p, err := NewPlan(context.Background(), c, Spec{Fault: "maxmemory", Args: []string{"1"}, Duration: time.Second})
	if err != nil {
		t.Fatalf("maxmemory 1 under noeviction: %v", err)
	}
	if !strings.Contains(p.Warning, "OOM") || !strings.Contains(p.Warning, "no key is evicted") {
		t.Fatalf("plan warning %q does not say writes fail with OOM and nothing is lost", p.Warning)
	}
}

// A fault whose revert the server would refuse (ACL) is refused before
// anything changes.
func TestFaultWhoseRevertIsForbiddenIsRefused(t *testing.T) {
	srv := redistest.Start(t)
	admin := srv.Client()
	ctx := context.Background()
	for _, rule := range [][]any{
		{"ACL", "SETUSER", "noset", "on", ">pw", "~*", "&*", "+@all", "-config|set"},
		{"ACL", "SETUSER", "nounpause", "on", ">pw", "~*", "&*", "+@all", "-client|unpause"},
	} {
		if err := admin.Do(ctx, rule...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		user string
		spec Spec
	}{
		{"noset", Spec{Fault: "maxclients", Args: []string{"9"}, Duration: time.Second}},
		{"noset", Spec{Fault: "maxmemory", Args: []string{"100000000"}, Duration: time.Second}},
		{"nounpause", Spec{Fault: "pause", Args: []string{"write"}, Duration: time.Second}},
	} {
		tgt := newTarget(t, "redis://"+tc.user+":pw@"+srv.Addr)
		c := tgt.Client(0)
		_, err := NewPlan(ctx, c, tc.spec)
		_ = c.Close()
		if !errors.Is(err, ErrNotRevertible) {
			t.Errorf("%s as %s: %v, want ErrNotRevertible", tc.spec.Fault, tc.user, err)
		}
	}
	if got := admin.ConfigGet(ctx, "maxclients").Val()["maxclients"]; got != "10000" {
		t.Fatalf("maxclients = %s after the refusals", got)
	}
}
