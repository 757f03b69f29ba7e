package herd

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/target"
)

// EmbeddedLabel names the embedded target in every output.
const EmbeddedLabel = "embedded (simulated server)"

// server is where the herd goes: an embedded miniredis, a real server, the
// master a Sentinel names, or every node of a Cluster, as pkg/target
// resolved it when the herd began.
type server struct {
	label string
	tgt   target.Target
	topo  *target.Topology
	mini  *miniredis.Miniredis
	// ownRejections counts our INFO connections the server refused.
	ownRejections atomic.Int64
}

// cluster reports whether services need cluster clients.
func (s *server) cluster() bool { return s.topo.Kind == target.Cluster }

// entry is the node services dial first: the server, the master, or the
// first Cluster node (cluster clients learn the rest from it).
func (s *server) entry() string {
	if m, ok := s.topo.Master(); ok {
		return m.Addr
	}
	return s.topo.Nodes[0].Addr
}

// upstreams are the nodes whose connections the herd counts: every
// Cluster node, else the master (a Sentinel target's replicas see none of
// the herd's connections).
func (s *server) upstreams() []string {
	if s.cluster() {
		return s.topo.Addrs()
	}
	return []string{s.entry()}
}

func openServer(url string, allowUnreachable bool) (*server, error) {
	if url == "" {
		mini := miniredis.NewMiniRedis()
		if err := mini.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		s, err := resolveServer(context.Background(), "redis://"+mini.Addr())
		if err != nil {
			mini.Close()
			return nil, err
		}
		s.label, s.mini = EmbeddedLabel, mini
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := resolveServer(ctx, url)
	if err != nil {
		return nil, err
	}
	// An unreachable target is an error; one that answers but refuses
	// (maxclients, LOADING during a restart) is the herd's to meet.
	if _, err := s.info(ctx); err != nil && unreachable(err) && !allowUnreachable {
		return nil, fmt.Errorf("connect to %s: %w", s.label, err)
	}
	return s, nil
}

// resolveServer resolves url through pkg/target: a Sentinel target is the
// master the Sentinels name now (services reach it as a plain server); a
// Cluster target is every node of its slot map that is not failing.
func resolveServer(ctx context.Context, url string) (*server, error) {
	t, err := target.Parse(url)
	if err != nil {
		return nil, err
	}
	topo, err := t.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	s := &server{label: t.String(), tgt: t, topo: topo}
	if topo.Kind == target.Sentinel {
		s.label += " (master " + s.entry() + ")"
	}
	if s.cluster() { // a failing node gets no connections from the herd
		live := *topo
		live.Nodes = nil
		for _, n := range topo.Nodes {
			if !n.Down {
				live.Nodes = append(live.Nodes, n)
			}
		}
		s.topo = &live
	}
	return s, nil
}

func (s *server) close() {
	if s.mini != nil {
		s.mini.Close()
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
func (s *server) info(ctx context.Context) (*serverStats, error) {
	if s.mini != nil {
		return nil, nil
	}
	sum := &serverStats{}
	for _, addr := range s.upstreams() {
		st, err := s.nodeInfo(ctx, addr)
		if err != nil {
			return nil, err
		}
		sum.ConnectedClients += st.ConnectedClients
		sum.RejectedConnections += st.RejectedConnections
		sum.MaxClients += st.MaxClients
	}
	return sum, nil
}

func (s *server) nodeInfo(ctx context.Context, addr string) (*serverStats, error) {
	o := target.ToolOptions(s.tgt.DataOptions(addr))
	o.Protocol = 2
	// A full server refuses our own INFO connection too; count those so
	// they are not reported as the herd's rejections.
	observeDials(o, nil, func() { s.ownRejections.Add(1) })
	c := redis.NewClient(o)
	defer c.Close()
	raw, err := c.Info(ctx, "clients", "stats").Result()
	if err != nil {
		return nil, err
	}
	f := redisinfo.Parse(raw)
	st := &serverStats{ConnectedClients: f.Int("connected_clients"), RejectedConnections: f.Int("rejected_connections"), MaxClients: f.Int("maxclients")}
	if st.MaxClients == 0 { // INFO shows maxclients from Redis 7 on
		if mc, err := c.ConfigGet(ctx, "maxclients").Result(); err == nil {
			st.MaxClients, _ = strconv.ParseInt(mc["maxclients"], 10, 64)
		}
	}
	return st, nil
}

// waitDrained waits until the server's connected clients fall back to
// baseline so one strategy's closing connections do not count against the
// next; it gives up quietly after limit.
// It returns the last INFO it read (nil if none could be read).
func (s *server) waitDrained(ctx context.Context, baseline int64, limit time.Duration) *serverStats {
	deadline := time.Now().Add(limit)
	var last *serverStats
	for {
		st, err := s.info(ctx) // fails while the server is still full: keep trying
		if err == nil && st != nil {
			last = st
			if st.ConnectedClients <= baseline {
				return last
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clientOptions returns go-redis options for a service client of the node
// at upstream that dials via (its proxy): credentials, DB and TLS are the
// node's, TLS verified against the node's own name.
func (s *server) clientOptions(upstream, via string) *redis.Options {
	o := s.tgt.DataOptions(upstream)
	o.Addr = via
	return o
}

// observeDials gives o a dialer over base that reports each maxclients
// rejection to onReject and speaks o's TLS itself (go-redis applies
// TLSConfig only when it has no Dialer).
func observeDials(o *redis.Options, base manager.DialFunc, onReject func()) {
	o.Dialer = manager.WithTLS(manager.ObserveMaxClients(base, onReject), o.TLSConfig)
	o.TLSConfig = nil
}

// serviceTarget is what a managed service connects to: the Cluster, or the
// entry node as one server (a Sentinel target's services meet the master
// the herd began with, as the naive clients do).
func (s *server) serviceTarget() target.Target {
	t := s.tgt
	if !s.cluster() {
		t.Kind, t.Addrs, t.MasterName = target.Standalone, []string{s.entry()}, ""
	}
	return t
}
