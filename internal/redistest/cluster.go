package redistest

import (
	"context"

	"github.com/rescli/rescli/internal/localredis"
)

// Cluster is a Redis Cluster of three masters and three replicas on
// loopback, created with redis-cli --cluster create. Nodes[0:3] are the
// first masters and Nodes[3:6] their replicas; after a failover the roles
// move, so ask Masters or MasterOf. The embedded localredis.Cluster gives
// Addrs, URL and WaitHealthy.
type Cluster struct {
	*localredis.Cluster
	Nodes []*Server
}

// ClusterArgs are the flags every cluster node starts with.
var ClusterArgs = localredis.ClusterArgs

// StartCluster starts six nodes (extra flags added to each), creates the
// cluster with one replica per master, and waits for cluster_state:ok on
// every node and master_link_status:up on every replica. Every process is
// killed when the test ends, also when it fails.
func StartCluster(t T, extra ...string) *Cluster {
	t.Helper()
	lookup(t, "redis-cli")
	Binary(t)
	lc, err := localredis.StartCluster(t.TempDir(), extra...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(lc.Close)
	c := &Cluster{Cluster: lc}
	for _, n := range lc.Nodes {
		c.Nodes = append(c.Nodes, &Server{Server: n, t: t})
	}
	return c
}

// Node returns the node listening on addr, or nil.
func (c *Cluster) Node(addr string) *Server { return wrap(c.Nodes, c.Cluster.Node(addr)) }

// MasterOf returns the node that serves key's slot now, asked of any
// running node.
func (c *Cluster) MasterOf(ctx context.Context, key string) (*Server, error) {
	n, err := c.Cluster.MasterOf(ctx, key)
	return wrap(c.Nodes, n), err
}

// Masters returns the running nodes whose role is master.
func (c *Cluster) Masters() []*Server {
	var out []*Server
	for _, n := range c.Cluster.Masters() {
		out = append(out, wrap(c.Nodes, n))
	}
	return out
}
