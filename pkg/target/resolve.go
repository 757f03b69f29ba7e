package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnresolved is wrapped by Resolve errors: no Sentinel named the master,
// or no Cluster seed answered.
var ErrUnresolved = errors.New("cannot resolve the target")

// toolTimeout bounds each dial and reply of rescli's own admin connections.
const toolTimeout = 2 * time.Second

// ToolOptions are o made fit for one of rescli's admin connections: no
// hidden retries, one dial attempt, no CLIENT SETINFO round trip, short
// timeouts.
func ToolOptions(o *redis.Options) *redis.Options {
	o.MaxRetries, o.DialerRetries, o.DisableIdentity = -1, 1, true
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = toolTimeout, toolTimeout, toolTimeout
	o.PoolSize = 2
	return o
}

// NodeClient is an admin client for the data node at addr (ToolOptions over
// DataOptions). The caller closes it.
func (t Target) NodeClient(addr string) *redis.Client {
	return redis.NewClient(ToolOptions(t.DataOptions(addr)))
}

// SentinelClient is an admin client for the Sentinel at addr. The caller
// closes it.
func (t Target) SentinelClient(addr string) *redis.SentinelClient {
	return redis.NewSentinelClient(ToolOptions(t.SentinelOptions(addr)))
}

// Resolve asks the live deployment what it is now: a Standalone target is
// its one address (not dialled); a Sentinel target is the master the first
// answering Sentinel names, with its replicas and the Sentinels it knows; a
// Cluster target is every node CLUSTER NODES lists on the first answering
// seed, with its slots. Call it again after a failover: nothing is cached.
func (t Target) Resolve(ctx context.Context) (*Topology, error) {
	switch t.Resolved() {
	case Sentinel:
		return t.resolveSentinel(ctx)
	case Cluster:
		return t.resolveCluster(ctx)
	}
	if len(t.Addrs) == 0 {
		return nil, fmt.Errorf("%w %s: no address", ErrUnresolved, t)
	}
	return &Topology{Kind: Standalone, Nodes: []Node{{Addr: t.Addrs[0], Role: Master}}, At: time.Now()}, nil
}

func (t Target) resolveSentinel(ctx context.Context) (*Topology, error) {
	var errs []error
	for _, addr := range t.Addrs {
		topo, err := t.askSentinel(ctx, addr)
		if err == nil {
			return topo, nil
		}
		errs = append(errs, fmt.Errorf("sentinel %s: %w", addr, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w %s: no Sentinel named master %q: %w", ErrUnresolved, t, t.MasterName, errors.Join(errs...))
}

// askSentinel reads SENTINEL MASTER, REPLICAS and SENTINELS from one
// Sentinel.
func (t Target) askSentinel(ctx context.Context, addr string) (*Topology, error) {
	sc := t.SentinelClient(addr)
	defer sc.Close()
	m, err := sc.Master(ctx, t.MasterName).Result()
	if err != nil {
		return nil, err
	}
	if m["ip"] == "" || m["port"] == "" {
		return nil, fmt.Errorf("no master named %q", t.MasterName)
	}
	master := net.JoinHostPort(m["ip"], m["port"])
	topo := &Topology{Kind: Sentinel, Via: addr, At: time.Now(), Sentinels: slices.Clone(t.Addrs),
		Nodes: []Node{{Addr: master, Role: Master, Down: flaggedDown(m["flags"])}}}
	replicas, err := sc.Replicas(ctx, t.MasterName).Result()
	if err != nil {
		return nil, fmt.Errorf("sentinel replicas: %w", err)
	}
	for _, r := range replicas {
		topo.Nodes = append(topo.Nodes, Node{Addr: net.JoinHostPort(r["ip"], r["port"]), Role: Replica, Master: master,
			Down: flaggedDown(r["flags"]) || r["master-link-status"] == "err"})
	}
	if others, err := sc.Sentinels(ctx, t.MasterName).Result(); err == nil {
		for _, s := range others {
			if a := net.JoinHostPort(s["ip"], s["port"]); !slices.Contains(topo.Sentinels, a) {
				topo.Sentinels = append(topo.Sentinels, a)
			}
		}
	}
	sortNodes(topo.Nodes)
	return topo, nil
}

func flaggedDown(flags string) bool {
	return strings.Contains(flags, "s_down") || strings.Contains(flags, "o_down") || strings.Contains(flags, "disconnected")
}

func (t Target) resolveCluster(ctx context.Context) (*Topology, error) {
	var errs []error
	for _, seed := range t.Addrs {
		c := t.NodeClient(seed)
		raw, err := c.ClusterNodes(ctx).Result()
		_ = c.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("seed %s: %w", seed, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		topo := &Topology{Kind: Cluster, Via: seed, At: time.Now()}
		for _, cn := range ParseClusterNodes(raw) {
			if cn.NoAddr || cn.Handshake {
				continue
			}
			topo.Nodes = append(topo.Nodes, cn.Node)
		}
		sortNodes(topo.Nodes)
		return topo, nil
	}
	return nil, fmt.Errorf("%w %s: no seed answered CLUSTER NODES: %w", ErrUnresolved, t, errors.Join(errs...))
}
