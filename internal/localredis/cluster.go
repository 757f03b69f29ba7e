package localredis

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redisinfo"
)

// maxClusterPort keeps a node's cluster bus port (its port + 10000) valid.
const maxClusterPort = 55535

// Cluster is a Redis Cluster of three masters and three replicas on
// loopback, created with redis-cli --cluster create. Nodes[0:3] are the
// first masters and Nodes[3:6] their replicas; after a failover the roles
// move, so ask Masters or MasterOf.
type Cluster struct {
	Nodes []*Server
}

// ClusterArgs are the flags every cluster node starts with.
var ClusterArgs = []string{
	"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
	"--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0",
}

// StartCluster starts six nodes (extra flags added to each), each in its
// own directory node1..node6 under dir, creates the cluster with one
// replica per master, and waits for cluster_state:ok on every node and
// master_link_status:up on every replica. On an error every node started
// is killed; on success the caller calls Close.
func StartCluster(dir string, extra ...string) (_ *Cluster, err error) {
	cli, err := LookPath("redis-cli")
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	for i := range 6 {
		n, err := startNode(filepath.Join(dir, fmt.Sprintf("node%d", i+1)), append(append([]string{}, ClusterArgs...), extra...))
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	if err := c.WaitHealthy(30 * time.Second); err != nil {
		return nil, fmt.Errorf("cluster never became healthy: %w", err)
	}
	return c, nil
}

// Close kills every node, the last started first.
func (c *Cluster) Close() { killAll(c.Nodes) }

// startNode starts one server in dir (created) on a port whose bus port is
// free too.
func startNode(dir string, args []string) (*Server, error) {
	s, err := newServer(dir, args)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 50 {
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		if port > maxClusterPort || !portFree(port+10000) {
			continue
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("start cluster node: no free port pair at or below %d (%v)", maxClusterPort, lastErr)
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// Addrs returns every node's host:port.
func (c *Cluster) Addrs() []string { return addrs(c.Nodes) }

// URL returns redis+cluster://addr1,addr2,... with every node as a seed.
func (c *Cluster) URL() string { return "redis+cluster://" + strings.Join(c.Addrs(), ",") }

// Node returns the node listening on addr, or nil.
func (c *Cluster) Node(addr string) *Server {
	for _, n := range c.Nodes {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

// MasterOf returns the node that serves key's slot now, asked of any
// running node.
func (c *Cluster) MasterOf(ctx context.Context, key string) (*Server, error) {
	var lastErr error
	for _, n := range c.Nodes {
		if n.Exited() {
			continue
		}
		cl := n.plainClient()
		slot, err := cl.ClusterKeySlot(ctx, key).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = cl.ClusterSlots(ctx).Result()
		}
		_ = cl.Close()
		if err != nil {
			lastErr = err
			continue
		}
		for _, s := range slots {
			if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 {
				if node := c.Node(s.Nodes[0].Addr); node != nil {
					return node, nil
				}
			}
		}
		return nil, fmt.Errorf("slot %d of %q has no known master", slot, key)
	}
	return nil, fmt.Errorf("no running node answered: %w", lastErr)
}

// WaitHealthy waits until every running node reports cluster_state:ok with
// all 16384 slots ok and every running replica's link to its master is up.
func (c *Cluster) WaitHealthy(limit time.Duration) error {
	return WaitUntil(limit, func() error {
		replicas := 0
		for _, n := range c.Nodes {
			if !n.Exited() && n.Info("role") == "slave" {
				replicas++
			}
		}
		for _, n := range c.Nodes {
			if n.Exited() {
				continue
			}
			if err := n.clusterHealthy(replicas); err != nil {
				return fmt.Errorf("%s: %w", n.Addr, err)
			}
		}
		return nil
	})
}

// clusterHealthy checks one node's view: state ok, all slots ok, at least
// replicas healthy replicas known (gossip spreads roles after the links
// are up), and its own replication link up.
func (s *Server) clusterHealthy(replicas int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cl := s.plainClient()
	defer cl.Close()
	raw, err := cl.ClusterInfo(ctx).Result()
	if err != nil {
		return err
	}
	ci := redisinfo.Parse(raw)
	if ci["cluster_state"] != "ok" || ci["cluster_slots_ok"] != "16384" {
		return fmt.Errorf("cluster_state:%s cluster_slots_ok:%s", ci["cluster_state"], ci["cluster_slots_ok"])
	}
	raw, err = cl.ClusterNodes(ctx).Result()
	if err != nil {
		return err
	}
	seen := 0
	for _, line := range strings.Split(raw, "\n") {
		if f := strings.Fields(line); len(f) > 2 && strings.Contains(f[2], "slave") && !strings.Contains(f[2], "fail") {
			seen++
		}
	}
	if seen < replicas {
		return fmt.Errorf("sees %d of %d replicas", seen, replicas)
	}
	raw, err = cl.Info(ctx, "replication").Result()
	if err != nil {
		return err
	}
	if ri := redisinfo.Parse(raw); ri["role"] == "slave" && ri["master_link_status"] != "up" {
		return fmt.Errorf("replica link to %s:%s is %s", ri["master_host"], ri["master_port"], ri["master_link_status"])
	}
	return nil
}

// Masters returns the running nodes whose role is master.
func (c *Cluster) Masters() []*Server {
	var out []*Server
	for _, n := range c.Nodes {
		if !n.Exited() && n.Info("role") == "master" {
			out = append(out, n)
		}
	}
	return out
}
