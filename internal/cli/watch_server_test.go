package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// watchServerEvents reads the "server" events of an NDJSON output.
func watchServerEvents(t *testing.T, out string) []watchServerEvent {
	t.Helper()
	var evs []watchServerEvent
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(l, `"type":"server"`) {
			continue
		}
		var ev watchServerEvent
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("server event %q: %v", l, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func infoOf(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	raw, err := c.Info(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return redistest.ParseInfo(raw)
}

// The server figures watch prints are the ones INFO gives.
func TestWatchServerFiguresMatchInfo(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t, "--maxmemory", "64mb")
	admin := srv.Client()
	ctx := context.Background()
	admin.Set(ctx, "k", "v", 0)
	admin.Get(ctx, "k")
	admin.Get(ctx, "missing")
	out, errOut, stop := watchStart(t, "watch", "-o", "json", "--redis-url", srv.URL(), "--refresh", "100ms", "--summary", "300ms")
	watchWait(t, "server event", out.String, regexp.MustCompile(`"type":"server"`), 10*time.Second)
	if err := stop(); err != nil {
		t.Fatalf("watch: %v %s", err, errOut.String())
	}
	info := infoOf(t, admin)
	ev := watchServerEvents(t, out.String())[0]
	n := ev.Nodes[0]
	if ev.Target != "redis" || ev.Kind != "standalone" || ev.EveryMS != 1000 || n.Addr != srv.Addr || n.Role != "master" || n.Error != "" {
		t.Fatalf("event %+v", ev)
	}
	eq := func(name string, got *int64, field string) {
		t.Helper()
		if got == nil || strconv.FormatInt(*got, 10) != info[field] {
			t.Errorf("%s = %v, INFO %s = %s", name, got, field, info[field])
		}
	}
	eq("maxmemory_bytes", n.MaxMemory, "maxmemory")
	eq("blocked_clients", n.BlockedClients, "blocked_clients")
	eq("connected_replicas", n.Replicas, "connected_slaves")
	// 1 hit and 1 miss before watch started (watch's own PINGs look nothing up)
	if n.HitRatioPct == nil || *n.HitRatioPct != 50 || info["keyspace_hits"] != "1" || info["keyspace_misses"] != "1" {
		t.Errorf("hit ratio %v, INFO hits %s misses %s", n.HitRatioPct, info["keyspace_hits"], info["keyspace_misses"])
	}
	used, _ := strconv.ParseInt(info["used_memory"], 10, 64)
	if n.UsedMemory == nil || *n.UsedMemory < used/2 || *n.UsedMemory > used*2 {
		t.Errorf("used_memory %v, INFO %d", n.UsedMemory, used)
	}
	// the admin client, watch's probe pool and its sampler's one connection
	if n.ConnectedClients == nil || *n.ConnectedClients < 2 || *n.ConnectedClients > 4 {
		t.Errorf("connected_clients %v", n.ConnectedClients)
	}
	if *n.RejectedConnections != 0 || *n.EvictedKeys != 0 || n.LatencyError != "" || n.SlowlogError != "" {
		t.Errorf("node %+v", n)
	}
}

// With maxclients 5 and ten clients more, the rejected connections show as
// a rate since watch started: the thundering-herd signal. The sampler's
// connection, opened first and kept, still reads INFO.
func TestWatchShowsTheRejectedRate(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t, "--maxclients", "5")
	admin := srv.Client()
	if err := admin.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	out, errOut, stop := watchStart(t, "watch", "--redis-url", srv.URL(), "--refresh", "100ms", "--summary", "500ms")
	watchWait(t, "first server line", out.String, regexp.MustCompile(`redis server \S+ role=master clients=`), 10*time.Second)
	var clients []*redis.Client
	for range 10 {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, PoolSize: 1})
		clients = append(clients, c)
		_ = c.Ping(context.Background()).Err()
	}
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	rejected := infoOf(t, admin)["rejected_connections"]
	if rejected == "0" {
		t.Fatal("no connection was rejected: the test did not reach maxclients")
	}
	line := watchWait(t, "rejected rate", out.String,
		regexp.MustCompile(`redis server \S+ role=master clients=\d+ blocked=0 rejected=`+rejected+` rejected_rate=[0-9.]+/s`), 15*time.Second)
	var n int
	var rate float64
	if _, err := fmt.Sscanf(line[strings.Index(line, "rejected="):], "rejected=%d rejected_rate=%f/s", &n, &rate); err != nil || rate <= 0 {
		t.Errorf("rate in %q: %v", line, err)
	}
	if err := stop(); err != nil {
		t.Fatalf("watch: %v %s", err, errOut.String())
	}
}

// An ACL user without +latency and +slowlog sees "n/a (NOPERM)", watch
// keeps running, and each command was asked once, not at every interval.
func TestWatchNOPERMOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs past two slow-read intervals (5s)")
	}
	watchNoLeaks(t)
	srv := redistest.Start(t)
	admin := srv.Client()
	ctx := context.Background()
	if err := admin.Do(ctx, "ACL", "SETUSER", "oncall", "on", ">on call", "~*", "&*", "+@all", "-latency", "-slowlog").Err(); err != nil {
		t.Fatal(err)
	}
	out, errOut, stop := watchStart(t, "watch", "-o", "json", "--redis-url", "redis://oncall:on%20call@"+srv.Addr,
		"--refresh", "200ms", "--summary", "1s")
	watchWait(t, "NOPERM", out.String, regexp.MustCompile(`"latency_error":"n/a \(NOPERM\)".*"slowlog_error":"n/a \(NOPERM\)"`), 10*time.Second)
	time.Sleep(6 * time.Second) // past the next slow read: it must not be asked again
	if err := stop(); err != nil {
		t.Fatalf("watch: %v %s", err, errOut.String())
	}
	evs := watchServerEvents(t, out.String())
	last := evs[len(evs)-1].Nodes[0]
	if len(evs) < 5 || last.LatencyError != "n/a (NOPERM)" || last.ConnectedClients == nil {
		t.Errorf("%d server events; last %+v", len(evs), last)
	}
	entries, err := admin.Do(ctx, "ACL", "LOG").Slice()
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]int64{} // Redis counts repeated denials in one entry
	for _, e := range entries {
		fields, kv := e.([]any), map[any]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			kv[fields[i]] = fields[i+1]
		}
		asked[fmt.Sprint(kv["object"])] += kv["count"].(int64)
	}
	if asked["latency|latest"] != 1 || asked["slowlog|get"] != 1 {
		t.Errorf("denied commands in ACL LOG: %v, want each once", asked)
	}
}
