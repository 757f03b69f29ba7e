package rig

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/target"
)

// Options configure a Rig.
type Options struct {
	// Name prefixes the proxies' names (default "rig").
	Name string
	// Topology is used instead of resolving the target (nil: resolve).
	Topology *target.Topology
	// Setup runs on each proxy once it listens, before it carries any
	// connection — also on a proxy made later for a node found later.
	Setup func(*chaos.Proxy) error
	// Upstream, when set, says where the proxy in front of a node forwards
	// to (default: the node itself) — a rig behind another rig's proxies,
	// as a scenario's herd stands behind the scenario's faults.
	Upstream func(node string) string
}

// Rig is a set of fault proxies in front of a target's data nodes.
type Rig struct {
	tgt  target.Target
	topo *target.Topology
	opts Options

	mu      sync.Mutex
	proxies map[string]*chaos.Proxy // by upstream host:port
	toxics  []chaos.Toxic           // set on every proxy, copied to new ones
	closed  bool
}

// ErrNotTCP is returned for a target a TCP proxy cannot stand in front of
// (a unix socket).
var ErrNotTCP = errors.New("a fault proxy needs a host:port target")

// New resolves t (unless o.Topology is given) and starts a proxy in front of
// each of its data nodes on 127.0.0.1.
func New(ctx context.Context, t target.Target, o Options) (*Rig, error) {
	if o.Name == "" {
		o.Name = "rig"
	}
	topo := o.Topology
	if topo == nil {
		var err error
		if topo, err = t.Resolve(ctx); err != nil {
			return nil, err
		}
	}
	r := &Rig{tgt: t, topo: topo, opts: o, proxies: map[string]*chaos.Proxy{}}
	for _, n := range topo.Nodes {
		if _, err := r.proxyFor(n.Addr); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// Target is the target the rig stands in front of.
func (r *Rig) Target() target.Target { return r.tgt }

// Topology is the deployment as it was resolved when the rig was built.
func (r *Rig) Topology() *target.Topology { return r.topo }

// proxyFor returns the proxy in front of upstream, starting it first if
// there is none yet.
func (r *Rig) proxyFor(upstream string) (*chaos.Proxy, error) {
	if _, _, err := net.SplitHostPort(upstream); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotTCP, upstream)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, chaos.ErrClosed
	}
	if p, ok := r.proxies[upstream]; ok {
		return p, nil
	}
	to := upstream
	if r.opts.Upstream != nil {
		to = r.opts.Upstream(upstream)
	}
	p := chaos.NewProxy(fmt.Sprintf("%s-%d", r.opts.Name, len(r.proxies)), "127.0.0.1:0", to)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("start proxy for %s: %w", upstream, err)
	}
	if err := r.prepare(upstream, p); err != nil {
		_ = p.Close()
		return nil, err
	}
	r.proxies[upstream] = p
	return p, nil
}

func (r *Rig) prepare(node string, p *chaos.Proxy) error {
	if r.opts.Setup != nil {
		if err := r.opts.Setup(p); err != nil {
			return fmt.Errorf("set up proxy for %s: %w", node, err)
		}
	}
	for _, t := range r.toxics {
		if _, err := p.AddToxic(t); err != nil {
			return fmt.Errorf("add %s to proxy for %s: %w", t.Name, node, err)
		}
	}
	return nil
}

// Dial connects to addr through its node's proxy: the clients of the rig
// dial the nodes' real addresses (from the URL, CLUSTER SLOTS, a MOVED
// reply, the Sentinels) and meet the faults on the way. A Sentinel is
// dialled directly; so is any address of a one-server target other than
// the server. A data node the rig has not met yet (a node added to a
// Cluster, a replica promoted) gets a proxy on first dial.
func (r *Rig) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	to := addr
	if r.proxied(addr) {
		p, err := r.proxyFor(addr)
		if err != nil {
			return nil, err
		}
		to = p.Addr()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

func (r *Rig) proxied(addr string) bool {
	switch r.topo.Kind {
	case target.Standalone:
		return slices.Contains(r.topo.Addrs(), addr)
	case target.Sentinel:
		return !r.topo.IsSentinel(addr) && !slices.Contains(r.tgt.Addrs, addr)
	}
	return true
}

// Proxies are the rig's proxies, ordered by the address of their node.
func (r *Rig) Proxies() []*chaos.Proxy {
	r.mu.Lock()
	defer r.mu.Unlock()
	nodes := make([]string, 0, len(r.proxies))
	for n := range r.proxies {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	out := make([]*chaos.Proxy, len(nodes))
	for i, n := range nodes {
		out[i] = r.proxies[n]
	}
	return out
}

// Proxy is the proxy in front of the node at upstream, if the rig has one.
func (r *Rig) Proxy(upstream string) (*chaos.Proxy, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.proxies[upstream]
	return p, ok
}

// Addr is where a client of the rig reaches the node at upstream: its
// proxy (made now for a data node the rig has not met yet), or the node
// itself (a Sentinel).
func (r *Rig) Addr(upstream string) string {
	if !r.proxied(upstream) {
		return upstream
	}
	p, err := r.proxyFor(upstream)
	if err != nil {
		return upstream
	}
	return p.Addr()
}
