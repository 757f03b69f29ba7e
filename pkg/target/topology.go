package target

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Role is what a node is in its deployment.
type Role string

// Node roles.
const (
	Master       Role = "master"
	Replica      Role = "replica"
	SentinelRole Role = "sentinel"
)

// SlotRange is a range of Cluster hash slots, both ends included.
type SlotRange struct {
	From, To int
}

func (r SlotRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}

// Node is one process of a deployment as Resolve found it.
type Node struct {
	Addr string `json:"addr"`
	Role Role   `json:"role"`
	// Master is a replica's master (host:port).
	Master string `json:"master,omitempty"`
	// Slots are the hash slots a Cluster master serves.
	Slots []SlotRange `json:"slots,omitempty"`
	// Down: the Sentinels or the Cluster flag the node failing or
	// disconnected.
	Down bool `json:"down,omitempty"`
	// ID is a Cluster node's id.
	ID string `json:"id,omitempty"`
}

// Owns reports whether the node serves slot.
func (n Node) Owns(slot int) bool {
	return slices.ContainsFunc(n.Slots, func(r SlotRange) bool { return slot >= r.From && slot <= r.To })
}

// Topology is a deployment as it was when Resolve asked.
type Topology struct {
	Kind Kind `json:"kind"`
	// Nodes are the data nodes: the server; the master and its replicas;
	// every Cluster master and replica. Sorted by address.
	Nodes []Node `json:"nodes"`
	// Sentinels are the Sentinels of a Sentinel target: the URL's and any
	// they know of.
	Sentinels []string `json:"sentinels,omitempty"`
	// Via is the Sentinel or Cluster node that answered.
	Via string    `json:"via,omitempty"`
	At  time.Time `json:"at"`
}

// Master is the master of a Standalone or Sentinel target.
func (t *Topology) Master() (Node, bool) {
	if t.Kind == Cluster {
		return Node{}, false
	}
	i := slices.IndexFunc(t.Nodes, func(n Node) bool { return n.Role == Master })
	if i < 0 {
		return Node{}, false
	}
	return t.Nodes[i], true
}

// Masters are the masters serving now: the one master, or every Cluster
// master that owns slots and is not flagged failing (a failed-over master
// keeps its master flag until it comes back as a replica).
func (t *Topology) Masters() []Node {
	var out []Node
	for _, n := range t.Nodes {
		if n.Role == Master && !n.Down && (t.Kind != Cluster || len(n.Slots) > 0) {
			out = append(out, n)
		}
	}
	return out
}

// Replicas are the replicas of the master at addr.
func (t *Topology) Replicas(addr string) []Node {
	var out []Node
	for _, n := range t.Nodes {
		if n.Role == Replica && n.Master == addr {
			out = append(out, n)
		}
	}
	return out
}

// Node finds the data node at addr.
func (t *Topology) Node(addr string) (Node, bool) {
	i := slices.IndexFunc(t.Nodes, func(n Node) bool { return n.Addr == addr })
	if i < 0 {
		return Node{}, false
	}
	return t.Nodes[i], true
}

// IsSentinel reports whether addr is one of the target's Sentinels.
func (t *Topology) IsSentinel(addr string) bool { return slices.Contains(t.Sentinels, addr) }

// OwnerOf is the master that serves key: the Cluster master owning its
// slot, or the one master of the other kinds.
func (t *Topology) OwnerOf(key string) (Node, bool) {
	if t.Kind != Cluster {
		return t.Master()
	}
	slot := Slot([]byte(key))
	for _, n := range t.Nodes {
		if n.Role == Master && n.Owns(slot) {
			return n, true
		}
	}
	return Node{}, false
}

// Addrs are the data nodes' addresses.
func (t *Topology) Addrs() []string {
	out := make([]string, len(t.Nodes))
	for i, n := range t.Nodes {
		out[i] = n.Addr
	}
	return out
}

// Describe is one line for people: "master 10.0.0.1:6379 (2 replicas)",
// "3 masters, 3 replicas".
func (t *Topology) Describe() string {
	masters, replicas := 0, 0
	for _, n := range t.Nodes {
		if n.Role == Master {
			masters++
		} else {
			replicas++
		}
	}
	if t.Kind == Cluster {
		return strconv.Itoa(masters) + " masters, " + strconv.Itoa(replicas) + " replicas"
	}
	m, _ := t.Master()
	return "master " + m.Addr + " (" + strconv.Itoa(replicas) + " replicas)"
}

func sortNodes(nodes []Node) {
	slices.SortFunc(nodes, func(a, b Node) int { return strings.Compare(a.Addr, b.Addr) })
}
