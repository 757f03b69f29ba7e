package manager

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// nodeSet holds a Cluster target's per-node breakers: one dead shard opens
// only its own node's breaker, so the other shards' slots keep working.
// go-redis calls attach for every node client it creates (OnNewNode).
type nodeSet struct {
	m *Manager

	mu    sync.Mutex
	nodes map[string]*node // by host:port
	// topo is the last CLUSTER SLOTS answer, by node address.
	topo    map[string]nodeRole
	topoAt  time.Time
	refresh bool // a breaker moved: read the topology again
}

type node struct {
	addr   string
	client *redis.Client
	br     *breaker
}

type nodeRole struct {
	role   string // master or replica
	slots  []string
	master string // a replica's master
}

func newNodeSet(m *Manager) *nodeSet { return &nodeSet{m: m, nodes: map[string]*node{}} }

// attach puts a new node client behind a breaker of its own.
func (s *nodeSet) attach(c *redis.Client) {
	n := &node{addr: c.Options().Addr, client: c}
	n.br = newBreaker(s.m.opts.Breaker, s.m.opts.Clock, s.m.randN)
	n.br.perNode = true
	n.br.onTransition = func(t Transition) {
		t.Node = n.addr
		s.m.onTransition(t)
		if t.To == Open { // a failover moves slots: don't wait for the interval
			if cc, ok := s.m.client.(*redis.ClusterClient); ok {
				cc.ReloadState(context.Background())
			}
		}
	}
	c.AddHook(&breakerHook{m: s.m, br: n.br})
	s.mu.Lock()
	s.nodes[n.addr] = n
	s.refresh = true
	s.mu.Unlock()
	// Read after the node is listed: a ForceOpen that runs meanwhile either
	// sees the node or has already set the state read here.
	if st, reason, forced := s.m.br.forcedState(); forced {
		n.br.control(st, reason)
	}
	s.m.wakeMonitor()
}

// all returns every node client's breaker holder, listed or not.
func (s *nodeSet) all() []*node {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*node, 0, len(s.nodes))
	for _, n := range s.nodes {
		out = append(out, n)
	}
	return out
}

// list returns the nodes worth watching: those in the last topology, and
// any other whose breaker is not closed while no topology is known.
func (s *nodeSet) list() []*node {
	_, out := s.view()
	return out
}

// view returns the last topology and list's nodes, read under one lock so
// that the two agree.
func (s *nodeSet) view() (map[string]nodeRole, []*node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*node, 0, len(s.nodes))
	for addr, n := range s.nodes {
		if _, ok := s.topo[addr]; ok || s.topo == nil {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.addr, b.addr) })
	return s.topo, out
}

// state summarises the masters' breakers: CLOSED when all are closed, OPEN
// when all are open (no slot can be served), HALF_OPEN otherwise — some
// shards fail or are being probed while the others work. An operator's
// FORCED_OPEN or DISABLED, which holds every node, is the summary.
func (s *nodeSet) state() State {
	if st, _, forced := s.m.br.forcedState(); forced {
		return st
	}
	var closed, open, total int
	topo, nodes := s.view()
	for _, n := range nodes {
		if r, ok := topo[n.addr]; ok && r.role != "master" {
			continue
		}
		total++
		switch n.br.State() {
		case Closed:
			closed++
		case Open:
			open++
		}
	}
	switch {
	case closed == total:
		return Closed
	case open == total:
		return Open
	}
	return HalfOpen
}

// readTopology asks the cluster for its slot map and node roles.
func (s *nodeSet) readTopology(ctx context.Context) error {
	slots, err := s.m.client.ClusterSlots(ctx).Result()
	if err != nil {
		return fmt.Errorf("cluster slots: %w", err)
	}
	topo := map[string]nodeRole{}
	for _, sl := range slots {
		if len(sl.Nodes) == 0 {
			continue
		}
		master := sl.Nodes[0].Addr
		r := topo[master]
		r.role = "master"
		r.slots = append(r.slots, fmt.Sprintf("%d-%d", sl.Start, sl.End))
		topo[master] = r
		for _, rep := range sl.Nodes[1:] {
			topo[rep.Addr] = nodeRole{role: "replica", master: master}
		}
	}
	s.mu.Lock()
	s.topo, s.topoAt, s.refresh = topo, s.m.opts.Clock.Now(), false
	s.mu.Unlock()
	return nil
}

// NodeSnapshot is one Cluster node as the manager sees it.
type NodeSnapshot struct {
	Addr string `json:"addr"`
	// Role is master or replica (from the last CLUSTER SLOTS), or unknown.
	Role string `json:"role"`
	// Slots are a master's slot ranges, e.g. ["0-5460"].
	Slots []string `json:"slots,omitempty"`
	// Master is a replica's master.
	Master              string    `json:"master,omitempty"`
	State               State     `json:"state"`
	StateSince          time.Time `json:"state_since"`
	StateReason         string    `json:"state_reason,omitempty"`
	NextProbe           time.Time `json:"next_probe,omitzero"`
	Trips               uint64    `json:"trips"`
	Recoveries          uint64    `json:"recoveries"`
	ConsecutiveFailures int64     `json:"consecutive_failures"`
	LastError           string    `json:"last_error,omitempty"`
	Pool                PoolStats `json:"pool"`
}

func (s *nodeSet) snapshot() []NodeSnapshot {
	topo, nodes := s.view()
	var out []NodeSnapshot
	for _, n := range nodes {
		in := n.br.info()
		ns := NodeSnapshot{Addr: n.addr, Role: "unknown", State: in.state, StateSince: in.since, NextProbe: in.until,
			StateReason: in.reason, Trips: n.br.trips.Load(), Recoveries: n.br.recoveries.Load(),
			ConsecutiveFailures: n.br.consecutive.Load(), LastError: in.err, Pool: poolStats(n.client, s.m.opts.PoolSize)}
		if r, ok := topo[n.addr]; ok {
			ns.Role, ns.Slots, ns.Master = r.role, r.slots, r.master
		}
		out = append(out, ns)
	}
	return out
}
