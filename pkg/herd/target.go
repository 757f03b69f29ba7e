package herd

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/localredis"
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
	// local is the redis-server started for this run (nil otherwise).
	local *localServer
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

// openServer opens the configured target: the URL, else a redis-server
// started here (see startLocal), else the embedded server.
func openServer(cfg *Config) (*server, error) {
	url := cfg.RedisURL
	if url == "" && !cfg.Embedded {
		if s, err := startLocal(); err == nil || !errors.Is(err, localredis.ErrNotInstalled) {
			return s, err
		}
	}
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
	if _, err := s.info(ctx); err != nil && unreachable(err) && !cfg.AllowUnreachable {
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

// flush empties a server the herd owns (embedded or started here) so that
// each strategy starts on the same empty data set.
func (s *server) flush(ctx context.Context) error {
	switch {
	case s.mini != nil:
		s.mini.FlushAll()
	case s.local != nil:
		c := s.tgt.NodeClient(s.entry())
		defer c.Close()
		if err := c.FlushAll(ctx).Err(); err != nil {
			return fmt.Errorf("flush local redis-server: %w", err)
		}
	}
	return nil
}

func (s *server) close() {
	if s.mini != nil {
		s.mini.Close()
	}
	if s.local != nil {
		s.local.stop()
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

// info reads INFO from a real server once, directly (not through the
// proxy); for a Cluster, the sums over its nodes.
func (s *server) info(ctx context.Context) (*serverStats, error) {
	if s.mini != nil {
		return nil, nil
	}
	sum := &serverStats{}
	for _, addr := range s.upstreams() {
		o := target.ToolOptions(s.tgt.DataOptions(addr))
		o.Protocol = 2
		c := redis.NewClient(o)
		st, err := nodeStats(ctx, c)
		_ = c.Close()
		if err != nil {
			return nil, err
		}
		sum.ConnectedClients += st.ConnectedClients
		sum.RejectedConnections += st.RejectedConnections
		sum.MaxClients += st.MaxClients
	}
	return sum, nil
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
