package herd

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/manager"
)

// EmbeddedLabel names the embedded target in every output.
const EmbeddedLabel = "embedded (simulated server)"

// target is where the herd goes: an embedded miniredis, a real server, the
// master a Sentinel names, or every node of a Cluster.
type target struct {
	label    string
	upstream string         // host:port the proxy forwards to
	base     *redis.Options // credentials, DB and TLS for the services
	mini     *miniredis.Miniredis
	// ownRejections counts our INFO connections the server refused.
	ownRejections atomic.Int64
	// nodes are every Cluster node (masters and replicas), each behind a
	// proxy of its own; nil for one upstream.
	nodes []string
}

// cluster reports whether services need cluster clients.
func (t *target) cluster() bool { return len(t.nodes) > 0 }

// upstreams are the addresses that get a proxy each.
func (t *target) upstreams() []string {
	if t.cluster() {
		return t.nodes
	}
	return []string{t.upstream}
}

func openTarget(url string, allowUnreachable bool) (*target, error) {
	if url == "" {
		mini := miniredis.NewMiniRedis()
		if err := mini.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		return &target{label: EmbeddedLabel, upstream: mini.Addr(), base: &redis.Options{}, mini: mini}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	t, err := resolveTarget(ctx, url)
	if err != nil {
		return nil, err
	}
	// An unreachable target is an error; one that answers but refuses
	// (maxclients, LOADING during a restart) is the herd's to meet.
	if _, err := t.info(ctx); err != nil && unreachable(err) && !allowUnreachable {
		return nil, fmt.Errorf("connect to %s: %w", t.label, err)
	}
	return t, nil
}

// resolveTarget parses url. A Sentinel target is the master the Sentinels
// name now (services reach it through the proxy as a plain server); a
// Cluster target is every node its slot map lists.
func resolveTarget(ctx context.Context, url string) (*target, error) {
	tt, err := manager.ParseTarget(url)
	if err != nil {
		return nil, err
	}
	label := redact.URL(url)
	switch tt.Kind {
	case manager.Sentinel:
		for _, a := range tt.Addrs {
			sc := redis.NewSentinelClient(tt.SentinelOptions(a))
			hp, err := sc.GetMasterAddrByName(ctx, tt.MasterName).Result()
			_ = sc.Close()
			if err == nil && len(hp) == 2 {
				master := net.JoinHostPort(hp[0], hp[1])
				return &target{label: label + " (master " + master + ")", upstream: master, base: tt.DataOptions(master)}, nil
			}
		}
		return nil, fmt.Errorf("connect to %s: no sentinel names a master %q", label, tt.MasterName)
	case manager.Cluster:
		return clusterTarget(ctx, tt, label)
	}
	opts, err := redis.ParseURL(url) // keeps go-redis's own query options
	if err != nil {
		return nil, fmt.Errorf("parse redis url %s: %w", label, err)
	}
	return &target{label: label, upstream: opts.Addr, base: opts}, nil
}

func clusterTarget(ctx context.Context, tt manager.Target, label string) (*target, error) {
	var lastErr error
	for _, seed := range tt.Addrs {
		o := tt.DataOptions(seed)
		o.MaxRetries, o.DisableIdentity = -1, true
		c := redis.NewClient(o)
		raw, err := c.ClusterNodes(ctx).Result()
		_ = c.Close()
		if err != nil {
			lastErr = err
			continue
		}
		t := &target{label: label, upstream: seed, base: tt.DataOptions(seed)}
		for _, line := range strings.Split(raw, "\n") {
			// id host:port@bus flags ...; a failed or unknown node gets no proxy.
			f := strings.Fields(line)
			if len(f) < 3 || strings.Contains(f[2], "fail") || strings.Contains(f[2], "noaddr") || strings.Contains(f[2], "handshake") {
				continue
			}
			t.nodes = append(t.nodes, strings.Split(f[1], "@")[0])
		}
		slices.Sort(t.nodes)
		return t, nil
	}
	return nil, fmt.Errorf("connect to %s: cluster slots: %w", label, lastErr)
}

func (t *target) close() {
	if t.mini != nil {
		t.mini.Close()
	}
}

func unreachable(err error) bool {
	switch manager.Classify(err) {
	case manager.Dial, manager.Timeout, manager.Other:
		return true
	}
	return false
}

// serverStats are the server's own connection counters (real targets).
type serverStats struct {
	ConnectedClients    int64 `json:"connected_clients"`
	RejectedConnections int64 `json:"rejected_connections"`
	MaxClients          int64 `json:"maxclients"`
}

// info reads INFO from a real server directly (not through the proxy); for
// a Cluster, the sums over its nodes.
func (t *target) info(ctx context.Context) (*serverStats, error) {
	if t.mini != nil {
		return nil, nil
	}
	sum := &serverStats{}
	for _, addr := range t.upstreams() {
		s, err := t.nodeInfo(ctx, addr)
		if err != nil {
			return nil, err
		}
		sum.ConnectedClients += s.ConnectedClients
		sum.RejectedConnections += s.RejectedConnections
		sum.MaxClients += s.MaxClients
	}
	return sum, nil
}

func (t *target) nodeInfo(ctx context.Context, addr string) (*serverStats, error) {
	o := *t.base
	o.Addr = addr
	o.MaxRetries, o.DialerRetries, o.Protocol, o.DisableIdentity = -1, 1, 2, true
	// A full server refuses our own INFO connection too; count those so
	// they are not reported as the herd's rejections.
	observeDials(&o, nil, func() { t.ownRejections.Add(1) })
	c := redis.NewClient(&o)
	defer c.Close()
	raw, err := c.Info(ctx, "clients", "stats").Result()
	if err != nil {
		return nil, err
	}
	f := redisinfo.Parse(raw)
	s := &serverStats{ConnectedClients: f.Int("connected_clients"), RejectedConnections: f.Int("rejected_connections"), MaxClients: f.Int("maxclients")}
	if s.MaxClients == 0 { // INFO shows maxclients from Redis 7 on
		if mc, err := c.ConfigGet(ctx, "maxclients").Result(); err == nil {
			s.MaxClients, _ = strconv.ParseInt(mc["maxclients"], 10, 64)
		}
	}
	return s, nil
}

// waitDrained waits until the server's connected clients fall back to
// baseline so one strategy's closing connections do not count against the
// next; it gives up quietly after limit.
// It returns the last INFO it read (nil if none could be read).
func (t *target) waitDrained(ctx context.Context, baseline int64, limit time.Duration) *serverStats {
	deadline := time.Now().Add(limit)
	var last *serverStats
	for {
		s, err := t.info(ctx) // fails while the server is still full: keep trying
		if err == nil && s != nil {
			last = s
			if s.ConnectedClients <= baseline {
				return last
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clientOptions returns go-redis options for a service client that dials
// the proxy at addr.
func (t *target) clientOptions(addr string) *redis.Options {
	o := *t.base
	o.Addr = addr
	return &o
}

// observeDials gives o a dialer over base that reports each maxclients
// rejection to onReject and speaks o's TLS itself (go-redis applies
// TLSConfig only when it has no Dialer).
func observeDials(o *redis.Options, base manager.DialFunc, onReject func()) {
	o.Dialer = manager.WithTLS(manager.ObserveMaxClients(base, onReject), o.TLSConfig)
	o.TLSConfig = nil
}
