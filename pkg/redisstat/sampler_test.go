package redisstat

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// clock is a hand-moved time for the Sampler's Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 27, 12, 3, 0, 0, time.UTC)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func info(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	raw, err := c.Info(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return redistest.ParseInfo(raw)
}

// The panel's figures are INFO's, read over the Sampler's own connection.
func TestSampleMatchesInfo(t *testing.T) {
	srv := redistest.Start(t, "--maxmemory", "100mb")
	admin := srv.Client()
	ctx := context.Background()
	admin.Set(ctx, "k", "v", 0)
	for range 3 {
		admin.Get(ctx, "k")
	}
	admin.Get(ctx, "missing")

	s := New(target.MustParse(srv.URL()), Options{Now: newClock().now})
	defer s.Close()
	got := s.Sample(ctx)
	want := info(t, admin)
	if len(got.Nodes) != 1 || got.Kind != target.Standalone || got.Master != srv.Addr {
		t.Fatalf("sample %+v", got)
	}
	n := got.Nodes[0]
	check := func(name string, have int64, field string) {
		t.Helper()
		if w := want[field]; fmt.Sprint(have) != w {
			t.Errorf("%s = %d, INFO %s = %s", name, have, field, w)
		}
	}
	if n.Err != "" || n.Role != "master" {
		t.Fatalf("node %+v", n)
	}
	check("Clients", n.Clients, "connected_clients")
	check("Blocked", n.Blocked, "blocked_clients")
	check("MaxMemory", n.MaxMemory, "maxmemory")
	check("Replicas", n.Replicas, "connected_slaves")
	if n.UsedMemory <= 0 || n.MaxMemory != 100<<20 {
		t.Errorf("memory %d of %d", n.UsedMemory, n.MaxMemory)
	}
	// 3 hits, 1 miss: the server's own ratio until a window has passed
	if want["keyspace_hits"] != "3" || want["keyspace_misses"] != "1" || n.HitRatio != 75 {
		t.Errorf("hit ratio %.1f%% from hits %s misses %s", n.HitRatio, want["keyspace_hits"], want["keyspace_misses"])
	}
	if n.Rejected != 0 || n.RejectedRate != 0 || n.Evicted != 0 || n.Lag != Unknown {
		t.Errorf("counters %+v", n)
	}
	// The first sample reads the slow commands too: none recorded, no error
	if n.LatencyErr != "" || n.SlowlogErr != "" {
		t.Errorf("latency %q slowlog %q", n.LatencyErr, n.SlowlogErr)
	}
}

// With maxclients 5 and ten clients, the rejected connections show as a
// rate since sampling started; the Sampler's own connection, made first
// and kept open, is not among them.
func TestSampleShowsRejectedRate(t *testing.T) {
	srv := redistest.Start(t, "--maxclients", "5")
	clk := newClock()
	s := New(target.MustParse(srv.URL()), Options{Now: clk.now})
	defer s.Close()
	ctx := context.Background()
	if first := s.Sample(ctx); first.Nodes[0].Err != "" || first.Nodes[0].Rejected != 0 {
		t.Fatalf("first sample %+v", first.Nodes[0])
	}
	admin := srv.Client() // opened before the flood, as the Sampler's
	before := info(t, admin)["rejected_connections"]
	var clients []*redis.Client
	for range 10 {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, PoolSize: 1})
		clients = append(clients, c)
		_ = c.Ping(ctx).Err() // the ones past the limit get ERR max number of clients reached
	}
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	clk.add(2 * time.Second)
	n := s.Sample(ctx).Nodes[0]
	after := info(t, admin)["rejected_connections"]
	if n.Err != "" {
		t.Fatalf("the sampler's kept-open connection failed: %s", n.Err)
	}
	if want := fmt.Sprint(atoi(after) - atoi(before)); n.Rejected < 5 || fmt.Sprint(n.Rejected) != want {
		t.Errorf("rejected %d, INFO grew %s (from %s to %s)", n.Rejected, want, before, after)
	}
	if n.RejectedRate != float64(n.Rejected)/2 {
		t.Errorf("rejected rate %.2f/s, want %d over 2s", n.RejectedRate, n.Rejected)
	}
}

func atoi(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// An ACL user without +latency and +slowlog sees "n/a (NOPERM)" and the
// commands are asked once, not at every sample; INFO still works.
func TestSampleNOPERMAskedOnce(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "mon", "on", ">mon pw", "~*", "&*", "+@all", "-latency", "-slowlog").Err(); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	s := New(target.MustParse("redis://mon:mon%20pw@"+srv.Addr), Options{Now: clk.now})
	defer s.Close()
	for i := range 4 {
		n := s.Sample(ctx).Nodes[0]
		if n.Err != "" || n.Clients <= 0 {
			t.Fatalf("sample %d: INFO failed: %+v", i, n)
		}
		if n.LatencyErr != "n/a (NOPERM)" || n.SlowlogErr != "n/a (NOPERM)" {
			t.Errorf("sample %d: latency %q slowlog %q", i, n.LatencyErr, n.SlowlogErr)
		}
		clk.add(10 * time.Second) // past SlowEvery: the slow reads are due each time
	}
	// Redis counts repeated denials in one ACL LOG entry
	entries, err := srv.Client().Do(ctx, "ACL", "LOG").Slice()
	if err != nil {
		t.Fatal(err)
	}
	denied := map[string]int64{}
	for _, e := range entries {
		fields := e.([]any)
		kv := map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			kv[fields[i].(string)] = fields[i+1]
		}
		denied[fmt.Sprint(kv["object"])] += kv["count"].(int64)
	}
	if denied["latency|latest"] != 1 || denied["slowlog|get"] != 1 {
		t.Errorf("denials in ACL LOG %v, want each command once", denied)
	}
}

// A user who may not run INFO gets the reason once too, and no panic.
func TestSampleWithoutInfo(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "app", "on", ">pw", "~*", "+@all", "-info").Err(); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	s := New(target.MustParse("redis://app:pw@"+srv.Addr), Options{Now: clk.now})
	defer s.Close()
	for range 2 {
		n := s.Sample(ctx).Nodes[0]
		if n.Err != "INFO: n/a (NOPERM)" || n.Clients != Unknown {
			t.Errorf("node %+v", n)
		}
		clk.add(time.Second)
	}
}

// Sample keeps to Every: called again too soon it answers from the last
// reading without asking the server.
func TestSampleKeepsToEvery(t *testing.T) {
	srv := redistest.Start(t)
	clk := newClock()
	s := New(target.MustParse(srv.URL()), Options{Now: clk.now})
	defer s.Close()
	ctx := context.Background()
	s.Sample(ctx)
	admin := srv.Client()
	// INFO calls so far, this one's own call not yet counted
	calls := func() int64 {
		raw, err := admin.Info(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		f := redistest.ParseInfo(raw)["cmdstat_info"]
		_, rest, _ := strings.Cut(f, "calls=")
		n, _, _ := strings.Cut(rest, ",")
		return atoi(n)
	}
	before := calls()
	clk.add(500 * time.Millisecond)
	s.Sample(ctx)
	if after := calls(); after != before+1 {
		t.Errorf("INFO asked again after 500ms: %d calls, want %d (the test's own)", after, before+1)
	}
	clk.add(600 * time.Millisecond)
	s.Sample(ctx)
	if after := calls(); after != before+3 {
		t.Errorf("INFO calls %d after 1.1s, want %d", after, before+3)
	}
}

// Sentinels that do not answer: the sample says why, and the resolve is
// tried again on the cadence, not at every sample.
func TestSampleRetriesAFailedResolveOnTheCadence(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			dials.Add(1)
			c.Close() // not a Sentinel
		}
	}()
	defer func() { ln.Close(); <-done }()
	clk := newClock()
	s := New(target.MustParse("redis+sentinel://"+ln.Addr().String()+"/mymaster"), Options{Now: clk.now})
	defer s.Close()
	ctx := context.Background()
	first := s.Sample(ctx)
	if first.Err == "" || len(first.Nodes) != 0 || !strings.Contains(first.Err, "cannot resolve") {
		t.Fatalf("first sample %+v", first)
	}
	asked := dials.Load()
	for range 3 {
		clk.add(time.Second)
		s.Sample(ctx)
	}
	if got := dials.Load(); got != asked {
		t.Errorf("resolved again within ResolveEvery: %d dials, then %d", asked, got)
	}
	clk.add(3 * time.Second)
	s.Sample(ctx)
	if got := dials.Load(); got <= asked {
		t.Errorf("not resolved again after ResolveEvery: %d dials", got)
	}
}

// A Sample handed out keeps its slow-log entries when the next slow read
// comes (a paused screen keeps drawing it while the sampler goes on).
func TestSampleKeepsItsSlowlog(t *testing.T) {
	srv := redistest.Start(t, "--slowlog-log-slower-than", "0")
	ctx := context.Background()
	clk := newClock()
	s := New(target.MustParse(srv.URL()), Options{Now: clk.now, Every: time.Second})
	defer s.Close()
	srv.Client().Set(ctx, "first", "v", 0)
	first := s.Sample(ctx)
	if len(first.Nodes) != 1 || len(first.Nodes[0].Slowlog) == 0 {
		t.Fatalf("no slow-log entries with slowlog-log-slower-than 0: %+v", first.Nodes)
	}
	kept := append([]SlowEntry(nil), first.Nodes[0].Slowlog...)
	for range 10 {
		srv.Client().Set(ctx, "later", "v", 0)
	}
	clk.add(time.Minute) // past SlowEvery: the next sample reads the slow log again
	second := s.Sample(ctx)
	if len(second.Nodes[0].Slowlog) == 0 || second.Nodes[0].Slowlog[0].ID == kept[0].ID {
		t.Fatalf("the second slow read found nothing new: %+v", second.Nodes[0].Slowlog)
	}
	for i, e := range first.Nodes[0].Slowlog {
		if e != kept[i] {
			t.Fatalf("the first sample's entry %d changed under it: %+v, was %+v", i, e, kept[i])
		}
	}
}
