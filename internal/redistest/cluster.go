package redistest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxClusterPort keeps a node's cluster bus port (its port + 10000) valid.
const maxClusterPort = 55535

// Cluster is a Redis Cluster of three masters and three replicas on
// loopback, created with redis-cli --cluster create. Nodes[0:3] are the
// first masters and Nodes[3:6] their replicas; after a failover the roles
// move, so ask Masters or MasterOf.
type Cluster struct {
	t     T
	Nodes []*Server
}

// ClusterArgs are the flags every cluster node starts with.
var ClusterArgs = []string{
	"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
	"--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0",
}

// StartCluster starts six nodes (extra flags added to each), creates the
// cluster with one replica per master, and waits for cluster_state:ok on
// every node and master_link_status:up on every replica. Every process is
// killed when the test ends, also when it fails.
func StartCluster(t T, extra ...string) *Cluster {
	t.Helper()
	cli := lookup(t, "redis-cli")
	c := &Cluster{t: t}
	for range 6 {
		c.Nodes = append(c.Nodes, startNode(t, append(append([]string{}, ClusterArgs...), extra...)))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(30 * time.Second); err != nil {
		t.Fatalf("cluster never became healthy: %v", err)
	}
	return c
}

// startNode starts one server on a port whose bus port is free too.
func startNode(t T, args []string) *Server {
	t.Helper()
	s := &Server{t: t, bin: Binary(t), dir: t.TempDir(), args: args}
	t.Cleanup(s.cleanup)
	var lastErr error
	for range 50 {
		port, err := FreePort()
		if err != nil {
			t.Fatalf("find free port: %v", err)
		}
		if port > maxClusterPort || !portFree(port+10000) {
			continue
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("start cluster node: no free port pair at or below %d (%v)", maxClusterPort, lastErr)
	return nil
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
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

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
		if n.exited() {
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
	return waitUntil(limit, func() error {
		replicas := 0
		for _, n := range c.Nodes {
			if !n.exited() && n.Info("role") == "slave" {
				replicas++
			}
		}
		for _, n := range c.Nodes {
			if n.exited() {
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
	ci := ParseInfo(raw)
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
	if ri := ParseInfo(raw); ri["role"] == "slave" && ri["master_link_status"] != "up" {
		return fmt.Errorf("replica link to %s:%s is %s", ri["master_host"], ri["master_port"], ri["master_link_status"])
	}
	return nil
}

// Masters returns the running nodes whose role is master.
func (c *Cluster) Masters() []*Server {
	var out []*Server
	for _, n := range c.Nodes {
		if !n.exited() && n.Info("role") == "master" {
			out = append(out, n)
		}
	}
	return out
}

// plainClient is an uncounted client with short timeouts for polling; the
// caller closes it.
func (s *Server) plainClient() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, Password: s.Password, MaxRetries: -1, Protocol: 2,
		DisableIdentity: true, DialTimeout: 500 * time.Millisecond, ContextTimeoutEnabled: true})
}

// waitUntil polls check every 50ms until it returns nil or limit passes.
func waitUntil(limit time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %w", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
