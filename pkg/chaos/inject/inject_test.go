package inject

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func setup(t *testing.T, args ...string) (*redistest.Server, *Target, Journal) {
	t.Helper()
	srv := redistest.Start(t, args...)
	url := srv.URL()
	if srv.Password != "" {
		url = "redis://:" + srv.Password + "@" + srv.Addr
	}
	return srv, newTarget(t, url), Journal{Dir: filepath.Join(t.TempDir(), "journal")}
}

func plan(t *testing.T, tgt *Target, s Spec) *Plan {
	t.Helper()
	c := tgt.Client(s.Duration)
	defer c.Close()
	p, err := NewPlan(context.Background(), c, s)
	if err != nil {
		t.Fatalf("plan %s: %v", s.Fault, err)
	}
	return p
}

func TestConfigFaultIsAppliedThenRestored(t *testing.T) {
	for _, tc := range []struct{ fault, value string }{{"maxclients", "7"}, {"maxmemory", "3000000"}} {
		t.Run(tc.fault, func(t *testing.T) {
			srv, tgt, j := setup(t)
			admin := srv.Client()
			ctx := context.Background()
			before := admin.ConfigGet(ctx, tc.fault).Val()[tc.fault]
			p := plan(t, tgt, Spec{Fault: tc.fault, Args: []string{tc.value}, Duration: 300 * time.Millisecond})
			seen := make(chan string, 1)
			go func() { // observe the fault while it is on
				for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if v := admin.ConfigGet(ctx, tc.fault).Val()[tc.fault]; v == tc.value {
						seen <- v
						return
					}
				}
				seen <- ""
			}()
			var log bytes.Buffer
			if err := Inject(ctx, tgt, p, j, &log); err != nil {
				t.Fatalf("inject: %v (%s)", err, log.String())
			}
			if v := <-seen; v != tc.value {
				t.Fatalf("never saw %s = %s while the fault was on", tc.fault, tc.value)
			}
			if after := admin.ConfigGet(ctx, tc.fault).Val()[tc.fault]; after != before {
				t.Fatalf("%s after revert = %s, want %s", tc.fault, after, before)
			}
			if entries, _ := j.List(); len(entries) != 0 {
				t.Fatalf("journal not cleared: %+v", entries)
			}
		})
	}
}

func TestPauseBlocksWritesAndCtrlCUnpauses(t *testing.T) {
	srv, tgt, j := setup(t)
	p := plan(t, tgt, Spec{Fault: "pause", Args: []string{"write"}, Duration: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Inject(ctx, tgt, p, j, &bytes.Buffer{}) }()
	writer := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, ReadTimeout: 200 * time.Millisecond, Protocol: 2})
	defer writer.Close()
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := writer.Set(context.Background(), "k", "v", 0).Err(); err != nil {
			break // the write blocked: the pause is on
		}
		if time.Now().After(deadline) {
			t.Fatal("writes never blocked")
		}
	}
	cancel() // Ctrl-C: the fault must be reverted long before its one-minute TTL
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := srv.Client().Set(context.Background(), "k", "v", 0).Err(); err != nil {
		t.Fatalf("write after revert: %v", err)
	}
}

func TestSleepNeedsDebugAndKillClientsKills(t *testing.T) {
	srv, tgt, j := setup(t)
	p := plan(t, tgt, Spec{Fault: "sleep", Duration: 200 * time.Millisecond})
	start := time.Now()
	if err := Inject(context.Background(), tgt, p, j, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("DEBUG SLEEP returned early")
	}
	victim := srv.Client()
	_ = victim.Ping(context.Background()).Err()
	if n, _ := strconv.Atoi(srv.Info("connected_clients")); n < 2 {
		t.Fatalf("connected_clients before kill = %d, want the victim and Info's own", n)
	}
	kp := plan(t, tgt, Spec{Fault: "kill-clients", Args: []string{"type", "normal"}, Duration: 10 * time.Millisecond})
	if err := Inject(context.Background(), tgt, kp, j, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Info("connected_clients"); n != "1" { // Info's own connection
		t.Fatalf("connected_clients after kill = %s, want 1", n)
	}

	// A server without DEBUG: sleep is refused before anything changes.
	noDebug := redistest.Start(t, "--enable-debug-command", "no")
	nt := newTarget(t, noDebug.URL())
	c := nt.Client(time.Second)
	defer c.Close()
	if _, err := NewPlan(context.Background(), c, Spec{Fault: "sleep", Duration: time.Second}); err == nil || !strings.Contains(err.Error(), "does not allow DEBUG") {
		t.Fatalf("sleep without DEBUG: %v", err)
	}
}

// A crash between apply and revert leaves the journal; RevertAll restores
// the server from it, and the journal never holds the password.
func TestJournalRevertsAfterACrash(t *testing.T) {
	srv, tgt, j := setup(t, "--requirepass", "hunter2")
	ctx := context.Background()
	p := plan(t, tgt, Spec{Fault: "maxclients", Args: []string{"9"}, Duration: time.Hour})
	c := tgt.Client(0)
	defer c.Close()
	e := Entry{ID: newID(), Created: time.Now(), Plan: *p, Addr: tgt.Opts.Addr, Target: "redis://:***@" + tgt.Opts.Addr}
	if err := j.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := p.apply(ctx, c); err != nil { // ...and then the process dies
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(j.Dir, e.ID+".json"))
	if strings.Contains(string(raw), "hunter2") {
		t.Fatal("the journal holds the password")
	}
	reverted, err := RevertAll(ctx, j, func(e Entry) (*redis.Client, error) { return tgt.Client(0), nil }, &bytes.Buffer{})
	if err != nil || len(reverted) != 1 {
		t.Fatalf("RevertAll = %d, %v", len(reverted), err)
	}
	if got := srv.Client().ConfigGet(ctx, "maxclients").Val()["maxclients"]; got != "10000" {
		t.Fatalf("maxclients after revert = %s", got)
	}
	if entries, _ := j.List(); len(entries) != 0 {
		t.Fatal("journal not cleared")
	}
}

func TestRefusals(t *testing.T) {
	if !Allowed("127.0.0.1:6379", []string{"127.0.0.1"}) || !Allowed("redis-a.staging:6379", []string{"*.staging"}) {
		t.Fatal("allow-list refused a listed host")
	}
	if Allowed("prod-redis:6379", []string{"*.staging", ""}) || Allowed("10.0.0.1:6379", nil) {
		t.Fatal("allow-list let an unlisted host through")
	}
	_, tgt, _ := setup(t)
	c := tgt.Client(0)
	defer c.Close()
	for _, s := range []Spec{
		{Fault: "maxclients", Args: []string{"many"}, Duration: time.Second},
		{Fault: "maxclients", Duration: time.Second},
		{Fault: "nuke", Duration: time.Second},
		{Fault: "pause", Duration: 0},
		{Fault: "pause", Args: []string{"reads"}, Duration: time.Second},
		{Fault: "kill-clients", Args: []string{"everyone"}, Duration: time.Second},
	} {
		if _, err := NewPlan(context.Background(), c, s); err == nil {
			t.Errorf("NewPlan(%+v) accepted", s)
		}
	}
}

// newTarget is the one server at url, as a fault's node.
func newTarget(t *testing.T, url string) *Target {
	t.Helper()
	tgt, err := target.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	return NodeTarget(tgt, target.Node{Addr: tgt.Addrs[0], Role: target.Master})
}
