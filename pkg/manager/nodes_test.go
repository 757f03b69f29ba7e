package manager

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/target"
)

// The summary of a Cluster's breakers counts masters only: replicas carry
// no traffic, and a failed-over master that left the slot map no longer
// counts.
func TestClusterStateSummarisesTheMastersBreakers(t *testing.T) {
	m := newManager(t, Options{Target: target.Target{Addrs: []string{"127.0.0.1:1", "127.0.0.1:2"}}, DisableMonitor: true, Clock: newFakeClock()})
	if m.nodes == nil {
		t.Fatal("two addresses did not make a cluster manager")
	}
	addrs := []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"}
	for _, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a})
		t.Cleanup(func() { _ = c.Close() })
		m.nodes.attach(c)
	}
	m.nodes.mu.Lock()
	m.nodes.topo = map[string]nodeRole{
		addrs[0]: {role: "master", slots: []string{"0-8191"}},
		addrs[1]: {role: "master", slots: []string{"8192-16383"}},
		addrs[2]: {role: "replica", master: addrs[0]},
	}
	m.nodes.mu.Unlock()
	move := func(a string, to State) {
		m.nodes.mu.Lock() // go-redis may attach nodes from its own goroutine meanwhile
		b := m.nodes.nodes[a].br
		m.nodes.mu.Unlock()
		b.mu.Lock()
		b.transition(to, "test")
		b.mu.Unlock()
	}
	open := func(a string) { move(a, Open) }

	// Given every breaker closed, then a replica's open: still CLOSED.
	open(addrs[2])
	if got := m.State(); got != Closed {
		t.Fatalf("replica open: %v, want CLOSED", got)
	}
	// When one master's breaker opens: partly available.
	open(addrs[0])
	if got := m.State(); got != HalfOpen {
		t.Fatalf("one master open: %v, want HALF_OPEN", got)
	}
	s := m.Snapshot()
	if s.Kind != target.Cluster || len(s.Nodes) != 3 || s.Nodes[0].State != Open || s.Nodes[0].Slots[0] != "0-8191" || s.Nodes[2].Master != addrs[0] {
		t.Fatalf("snapshot kind=%v nodes=%+v", s.Kind, s.Nodes)
	}
	// When every master's is open: OPEN.
	open(addrs[1])
	if got := m.State(); got != Open {
		t.Fatalf("all masters open: %v, want OPEN", got)
	}
	// Then the slot map loses the dead master: its replica, healthy again,
	// took over its slots.
	move(addrs[2], Closed)
	m.nodes.mu.Lock()
	m.nodes.topo = map[string]nodeRole{addrs[1]: {role: "master"}, addrs[2]: {role: "master"}}
	m.nodes.mu.Unlock()
	if got := m.State(); got != HalfOpen || len(m.Snapshot().Nodes) != 2 {
		t.Fatalf("after the failover: %v with %d nodes, want HALF_OPEN with 2", got, len(m.Snapshot().Nodes))
	}
}
