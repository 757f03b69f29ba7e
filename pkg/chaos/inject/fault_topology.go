package inject

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/devnode"
)

// planFailover promotes a replica: SENTINEL FAILOVER when the target is a
// Sentinel (args: the master name, needed only when it monitors several),
// CLUSTER FAILOVER sent to a replica when the target is a cluster node (to
// the target itself if it is a replica, else to one of its replicas). A
// failover is not undone: the old master becomes a replica, and the
// deployment stays healthy.
func planFailover(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	raw, err := c.Info(ctx, "server", "cluster").Result()
	if err != nil {
		return nil, fmt.Errorf("failover: read INFO: %w", err)
	}
	switch {
	case strings.Contains(raw, "redis_mode:sentinel"):
		return planSentinelFailover(ctx, c, s)
	case strings.Contains(raw, "cluster_enabled:1"):
		return planClusterFailover(ctx, c, s)
	}
	return nil, errors.New("failover needs a Sentinel (redis://sentinel:26379 or redis+sentinel://) or a cluster node as the target")
}

func planSentinelFailover(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	sc := redis.NewSentinelClient(c.Options())
	defer sc.Close()
	name := ""
	if len(s.Args) > 0 {
		name = s.Args[0]
	} else {
		masters, err := sc.Masters(ctx).Result()
		if err != nil || len(masters) != 1 {
			return nil, fmt.Errorf("failover: name the master (SENTINEL MASTERS: %d masters, %v)", len(masters), err)
		}
		name = mapValue(masters[0], "name")
	}
	if _, err := sc.GetMasterAddrByName(ctx, name).Result(); err != nil {
		return nil, fmt.Errorf("failover: the Sentinel does not monitor %q: %w", name, err)
	}
	return &Plan{
		Fault: "failover", Duration: s.Duration, Revert: []Step{{Kind: "none"}},
		Description: fmt.Sprintf("SENTINEL FAILOVER %s (a replica is promoted; the old master becomes its replica, not undone)", name),
		apply: func(ctx context.Context, c *redis.Client) error {
			sc := redis.NewSentinelClient(c.Options())
			defer sc.Close()
			return sc.Failover(ctx, name).Err()
		},
	}, nil
}

// mapValue reads a key from SENTINEL MASTERS' entries, which go-redis
// returns as a map (RESP3) or a flat list (RESP2).
func mapValue(v any, key string) string {
	switch m := v.(type) {
	case map[any]any:
		return fmt.Sprint(m[key])
	case []any:
		for i := 0; i+1 < len(m); i += 2 {
			if fmt.Sprint(m[i]) == key {
				return fmt.Sprint(m[i+1])
			}
		}
	}
	return ""
}

func planClusterFailover(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	nodes, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return nil, fmt.Errorf("failover: CLUSTER NODES: %w", err)
	}
	replica, master := pickReplica(nodes)
	if replica == "" {
		return nil, errors.New("failover: the target is a master with no connected replica to promote")
	}
	return &Plan{
		Description: fmt.Sprintf("CLUSTER FAILOVER on replica %s (it takes over %s's slots; the old master becomes its replica, not undone)", replica, master),
		Fault:       "failover", Duration: s.Duration, Revert: []Step{{Kind: "none"}},
		apply: func(ctx context.Context, c *redis.Client) error {
			o := *c.Options()
			o.Addr = replica
			rc := redis.NewClient(&o)
			defer rc.Close()
			return rc.ClusterFailover(ctx).Err()
		},
	}, nil
}

// pickReplica returns the target itself if CLUSTER NODES says it is a
// replica, else its first connected replica, with the master's address.
func pickReplica(nodes string) (replica, master string) {
	type line struct{ id, addr, flags, master, link string }
	var all []line
	var self line
	for _, l := range strings.Split(strings.TrimSpace(nodes), "\n") {
		f := strings.Fields(l)
		if len(f) < 8 {
			continue
		}
		ln := line{f[0], strings.Split(f[1], "@")[0], f[2], f[3], f[7]}
		all = append(all, ln)
		if strings.Contains(ln.flags, "myself") {
			self = ln
		}
	}
	addrOf := func(id string) string {
		for _, l := range all {
			if l.id == id {
				return l.addr
			}
		}
		return id
	}
	if strings.Contains(self.flags, "slave") {
		return self.addr, addrOf(self.master)
	}
	for _, l := range all {
		if l.master == self.id && l.link == "connected" && !strings.Contains(l.flags, "fail") {
			return l.addr, self.addr
		}
	}
	return "", self.addr
}

// planKillNode SIGKILLs a redis-server that rescli started itself (rescli
// dev, the test helper), found in the dev-node register by its address:
// the target's, or the first argument's. It is restarted with the same
// command line when the fault ends.
func planKillNode(_ context.Context, c *redis.Client, s Spec) (*Plan, error) {
	addr := c.Options().Addr
	if len(s.Args) > 0 {
		addr = s.Args[0]
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("kill-node takes a node address host:port, got %q", addr)
	}
	dir := devnode.Dir(os.Getenv)
	n, err := devnode.Lookup(dir, addr)
	if err != nil {
		return nil, fmt.Errorf("kill-node: %w; it only kills nodes started by rescli dev", err)
	}
	return &Plan{
		Fault: "kill-node", Duration: s.Duration,
		Revert:      []Step{{Kind: "restart", Key: addr, Value: dir}},
		Description: fmt.Sprintf("kill -9 redis-server %s (pid %d), restarted with the same command line after %s", addr, n.PID, s.Duration),
		apply: func(context.Context, *redis.Client) error {
			n, err := devnode.Lookup(dir, addr) // the same process as planned
			if err != nil {
				return err
			}
			return n.Kill()
		},
	}, nil
}

// restartNode is the revert of kill-node; it does nothing when the node
// runs again already.
func restartNode(ctx context.Context, s Step) error {
	if _, err := devnode.Lookup(s.Value, s.Key); err == nil {
		return nil
	}
	n, err := readRecord(s.Value, s.Key)
	if err != nil {
		return err
	}
	if n, err = devnode.Restart(s.Value, n); err != nil {
		return err
	}
	c := redis.NewClient(&redis.Options{Addr: s.Key, MaxRetries: -1, DisableIdentity: true, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	for {
		var reply redis.Error
		if err := c.Ping(ctx).Err(); err == nil || errors.As(err, &reply) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("restarted %s (pid %d) but it does not answer: %w", s.Key, n.PID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func readRecord(dir, addr string) (devnode.Node, error) {
	n, err := devnode.Lookup(dir, addr)
	if err == nil || n.Addr != "" { // found but not running: what a revert wants
		return n, nil
	}
	return n, err
}
