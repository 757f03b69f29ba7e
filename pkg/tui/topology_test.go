package tui

import (
	"strings"
	"testing"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/target"
)

// A Cluster target shows each node's own breaker: the dead shard is named
// OPEN with its error while the others stay CLOSED.
func TestWatchShowsClusterNodes(t *testing.T) {
	snap := healthy(50)
	snap.Kind, snap.State = target.Cluster, manager.HalfOpen
	snap.Nodes = []manager.NodeSnapshot{
		{Addr: "127.0.0.1:30001", Role: "master", Slots: []string{"0-5460"}, State: manager.Closed},
		{Addr: "127.0.0.1:30002", Role: "master", Slots: []string{"5461-10922"}, State: manager.Open, LastError: "dial tcp 127.0.0.1:30002: connect: connection refused"},
		{Addr: "127.0.0.1:30004", Role: "replica", Master: "127.0.0.1:30001", State: manager.Closed},
	}
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}})
	w = feed(t, w, SampleMsg{Target: "redis", At: at(1), Snap: snap})
	v := w.View()
	for _, want := range []string{
		"cluster · 3 nodes, one breaker each",
		"127.0.0.1:30001       CLOSED    master 0-5460",
		"127.0.0.1:30002       OPEN      master 5461-10922 · dial tcp 127.0.0.1:30002",
		"127.0.0.1:30004       CLOSED    replica of 127.0.0.1:30001",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 80, 24)

	// The transition log names the node whose breaker moved.
	w = feed(t, w, TransitionMsg{Target: "redis", Transition: manager.Transition{Node: "127.0.0.1:30002",
		From: manager.Closed, To: manager.Open, At: at(1), Reason: "5 consecutive failures"}})
	if v := w.View(); !strings.Contains(v, "127.0.0.1:30002 CLOSED → OPEN") {
		t.Errorf("transition log lacks the node:\n%s", v)
	}

	snap.Kind, snap.Nodes, snap.Master = target.Sentinel, nil, "127.0.0.1:6380"
	w = feed(t, w, SampleMsg{Target: "redis", At: at(2), Snap: snap})
	if v := w.View(); !strings.Contains(v, "sentinel · master 127.0.0.1:6380") {
		t.Errorf("sentinel view lacks the master:\n%s", v)
	}
}
