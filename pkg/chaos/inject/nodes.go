package inject

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/target"
)

// ErrKind is returned for a fault that cannot be done safely, as asked, on
// the kind of deployment the target is; its message says what would work.
var ErrKind = errors.New("refused")

// Select narrows the nodes a fault acts on: the node at an address, or the
// master that owns a key. The zero Select means the fault's default.
type Select struct {
	Node string
	Key  string
}

// Target is one node a fault acts on: where it is, what it is, how to
// reach it, and the deployment it belongs to (redacted, for the journal).
type Target struct {
	Label string
	Node  target.Node
	Opts  *redis.Options
}

// NodeTarget is the node n of deployment t: a data node with the target's
// data credentials, DB and TLS; a Sentinel with the Sentinels' credentials.
func NodeTarget(t target.Target, n target.Node) *Target {
	o := t.DataOptions(n.Addr)
	if n.Role == target.SentinelRole {
		o = t.SentinelOptions(n.Addr)
	}
	o.MaxRetries, o.DisableIdentity, o.PoolSize = -1, true, 2
	return &Target{Label: t.String(), Node: n, Opts: o}
}

// Nodes resolves t and picks the nodes fault acts on:
//
//   - one server: the server;
//   - Sentinel: the master the Sentinels name now (or the data node named
//     with Select.Node); failover goes to a Sentinel; kill-node kills a
//     Sentinel only when Select.Node names one;
//   - Cluster: every master, the node named, or the master that owns
//     Select.Key; failover and kill-node need a node or a key.
//
// What cannot be done safely is refused here, before anything changes.
func Nodes(ctx context.Context, t target.Target, fault string, sel Select) (*target.Topology, []target.Node, error) {
	topo, err := t.Resolve(ctx)
	if err != nil {
		return nil, nil, err
	}
	if sel.Node != "" && sel.Key != "" {
		return nil, nil, fmt.Errorf("%w: give --node or --key, not both", ErrKind)
	}
	switch topo.Kind {
	case target.Sentinel:
		nodes, err := sentinelNodes(topo, fault, sel)
		return topo, nodes, err
	case target.Cluster:
		nodes, err := clusterNodes(topo, fault, sel)
		return topo, nodes, err
	}
	server := topo.Nodes[0]
	if sel.Node != "" && sel.Node != server.Addr {
		return nil, nil, fmt.Errorf("%w: %s is one server, %s: give --node only for a Sentinel or Cluster target (redis+sentinel://, redis+cluster://)", ErrKind, t, sel.Node)
	}
	return topo, []target.Node{server}, nil
}

func sentinelNodes(topo *target.Topology, fault string, sel Select) ([]target.Node, error) {
	if fault == "failover" {
		if sel.Node != "" || sel.Key != "" {
			return nil, fmt.Errorf("%w: a Sentinel failover promotes the replica the Sentinels choose: drop --node and --key", ErrKind)
		}
		return []target.Node{{Addr: topo.Via, Role: target.SentinelRole}}, nil
	}
	if sel.Node == "" {
		m, ok := topo.Master()
		if !ok {
			return nil, fmt.Errorf("%w: the Sentinels name no master", ErrKind)
		}
		return []target.Node{m}, nil
	}
	if n, ok := topo.Node(sel.Node); ok {
		return []target.Node{n}, nil
	}
	if topo.IsSentinel(sel.Node) {
		if fault != "kill-node" {
			return nil, fmt.Errorf("%w: %s is a Sentinel: only kill-node acts on a Sentinel; the other faults act on a data node (%s)", ErrKind, sel.Node, strings.Join(topo.Addrs(), ", "))
		}
		return []target.Node{{Addr: sel.Node, Role: target.SentinelRole}}, nil
	}
	return nil, fmt.Errorf("%w: %s is not a node of this deployment (data nodes: %s; Sentinels: %s)", ErrKind, sel.Node, strings.Join(topo.Addrs(), ", "), strings.Join(topo.Sentinels, ", "))
}

func clusterNodes(topo *target.Topology, fault string, sel Select) ([]target.Node, error) {
	var n target.Node
	switch {
	case sel.Key != "":
		var ok bool
		if n, ok = topo.OwnerOf(sel.Key); !ok {
			return nil, fmt.Errorf("%w: no master serves the slot of key %q now (CLUSTERDOWN?)", ErrKind, sel.Key)
		}
	case sel.Node != "":
		var ok bool
		if n, ok = topo.Node(sel.Node); !ok {
			return nil, fmt.Errorf("%w: %s is not a node of this cluster (%s)", ErrKind, sel.Node, strings.Join(topo.Addrs(), ", "))
		}
	case fault == "failover" || fault == "kill-node":
		return nil, fmt.Errorf("%w: %s on a Cluster needs --node HOST:PORT or --key KEY: rescli does not %s every master at once", ErrKind, fault, map[string]string{"failover": "fail over", "kill-node": "kill"}[fault])
	default:
		masters := topo.Masters()
		if len(masters) == 0 {
			return nil, fmt.Errorf("%w: the cluster has no master serving slots", ErrKind)
		}
		return masters, nil
	}
	if fault != "failover" || n.Role == target.Replica {
		return []target.Node{n}, nil
	}
	// CLUSTER FAILOVER is sent to a replica of the master to replace.
	for _, r := range topo.Replicas(n.Addr) {
		if !r.Down {
			return []target.Node{r}, nil
		}
	}
	return nil, fmt.Errorf("%w: master %s has no working replica to promote", ErrKind, n.Addr)
}
