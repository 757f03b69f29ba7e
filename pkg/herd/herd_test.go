package herd

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

func byName(t *testing.T, rep *Report, name string) Result {
	t.Helper()
	for _, r := range rep.Strategies {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no result for %s", name)
	return Result{}
}

// The embedded server shows the herd with nothing installed: naive
// overflows the connection limit, managed stays within one pool.
func TestEmbeddedHerdShowsTheDifference(t *testing.T) {
	rep, err := Run(context.Background(), Config{Services: 40, Embedded: true, StartupTimeout: 2 * time.Second, Steady: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Target != EmbeddedLabel || rep.MaxClients != DefaultMaxClients {
		t.Fatalf("target %q maxclients %d", rep.Target, rep.MaxClients)
	}
	naive, managed := byName(t, rep, "naive"), byName(t, rep, "managed")
	t.Logf("naive: %+v", naive.Errors)
	if naive.RejectedConnections == 0 || naive.Failed == 0 || naive.PeakConnections != int64(DefaultMaxClients) {
		t.Errorf("naive: rejected=%d failed=%d peak=%d; want rejections, failures and a full server",
			naive.RejectedConnections, naive.Failed, naive.PeakConnections)
	}
	if naive.RejectionsSeenByClients != naive.RejectedConnections {
		t.Errorf("naive: proxy rejected %d, clients saw %d", naive.RejectedConnections, naive.RejectionsSeenByClients)
	}
	if managed.RejectedConnections != 0 || managed.PeakConnections > 20 || managed.Ready+managed.Degraded != 40 || managed.Failed != 0 {
		t.Errorf("managed: %+v", managed)
	}
	if managed.AllReadyMS == nil || naive.AllReadyMS != nil {
		t.Errorf("all_ready_ms: managed %v, naive %v", managed.AllReadyMS, naive.AllReadyMS)
	}
	if len(managed.Timeline) == 0 || !strings.Contains(SVG(rep), "<polyline") {
		t.Error("no timeline to chart")
	}
}

// With no target and redis-server in PATH, the herd runs against a real
// redis-server it starts on a free loopback port (the proxy keeps the
// default connection limit), reads that server's own counters, and stops it
// afterwards.
func TestNoTargetStartsALocalRedisServer(t *testing.T) {
	redistest.Binary(t)
	rep, err := Run(context.Background(), Config{Services: 40, StartupTimeout: 2 * time.Second, Steady: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.Target, LocalLabel+" 127.0.0.1:") || rep.MaxClients != DefaultMaxClients {
		t.Fatalf("target %q maxclients %d; want a local redis-server behind the default limit", rep.Target, rep.MaxClients)
	}
	naive, managed := byName(t, rep, "naive"), byName(t, rep, "managed")
	if naive.Server == nil || managed.Server == nil {
		t.Fatal("no server INFO from the local redis-server")
	}
	if naive.RejectedConnections == 0 || naive.PeakConnections != int64(DefaultMaxClients) {
		t.Errorf("naive: rejected %d peak %d; want the limit reached and rejections", naive.RejectedConnections, naive.PeakConnections)
	}
	if managed.Failed != 0 || managed.RejectedConnections != 0 || managed.PeakConnections > 20 {
		t.Errorf("managed: %+v", managed)
	}
	addr := strings.Fields(strings.TrimPrefix(rep.Target, LocalLabel+" "))[0]
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the local redis-server on %s still answers after the run", addr)
	}
}

// Against a real redis-server with maxclients lowered, the rejections
// herd reports are the server's own rejected_connections, and the clients'
// dialers saw the same number.
func TestRealServerHerdAgreesWithServerCounters(t *testing.T) {
	srv := redistest.Start(t, "--maxclients", "30")
	rep, err := Run(context.Background(), Config{
		Services: 40, Replicas: 1, RedisURL: srv.URL(),
		Strategies: []string{"naive", "managed"}, StartupTimeout: 2 * time.Second, Steady: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	naive, managed := byName(t, rep, "naive"), byName(t, rep, "managed")
	if naive.Server == nil {
		t.Fatal("no server INFO for a real target")
	}
	delta := naive.Server.After.RejectedConnections - naive.Server.Before.RejectedConnections - naive.Server.OwnRejections
	t.Logf("naive: server rejected %d, clients saw %d, failed %d, peak %d", delta, naive.RejectionsSeenByClients, naive.Failed, naive.PeakConnections)
	if delta == 0 || naive.Failed == 0 {
		t.Errorf("naive against maxclients 30: server rejected %d, %d failed; want both > 0", delta, naive.Failed)
	}
	if naive.RejectedConnections != delta || naive.RejectionsSeenByClients != delta {
		t.Errorf("naive: reported %d, clients saw %d, server counted %d", naive.RejectedConnections, naive.RejectionsSeenByClients, delta)
	}
	if managed.PeakConnections > 20 || managed.RejectedConnections != 0 || managed.Failed != 0 {
		t.Errorf("managed: peak %d rejected %d failed %d; want <= 20, 0, 0", managed.PeakConnections, managed.RejectedConnections, managed.Failed)
	}
}

func TestBadConfig(t *testing.T) {
	for _, c := range []Config{{Services: 0}, {Services: 2, Replicas: 3}, {Services: 1, Strategies: []string{"yolo"}}, {Services: 1, Backoff: "linear"}} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v) accepted a bad config", c)
		}
	}
	if _, err := Run(context.Background(), Config{Services: 1, RedisURL: "redis://127.0.0.1:1"}); err == nil {
		t.Error("an unreachable target was accepted")
	}
}

// A rediss:// target: every strategy speaks TLS. The naive clients and the
// INFO reads give go-redis their own dialer, and go-redis applies its TLS
// config only to its default one; they once sent plain text (password
// included) to the TLS port and every service failed.
func TestHerdOverTLS(t *testing.T) {
	_, port, _ := redistest.StartTLS(t)
	rep, err := Run(context.Background(), Config{
		Services: 5, Replicas: 1, RedisURL: "rediss://localhost:" + port + "/?skip_verify=true",
		Strategies: []string{"naive", "managed"}, StartupTimeout: 3 * time.Second, Steady: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"naive", "managed"} {
		r := byName(t, rep, name)
		if r.Failed != 0 || r.Server == nil {
			t.Errorf("%s over TLS: %d of 5 failed, server INFO read: %v", name, r.Failed, r.Server != nil)
		}
	}
}
