package redisstat

import (
	"errors"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redisinfo"
)

func TestCounterCountsAcrossARestart(t *testing.T) {
	var c counter
	for _, v := range []string{"10", "14", "2", "5"} { // restarted after 14
		c.add(redisinfo.Fields{"k": v}, "k")
	}
	if c.total != 4+2+3 {
		t.Errorf("total %d, want 9", c.total)
	}
	if got := c.add(redisinfo.Fields{}, "k"); got != 9 {
		t.Errorf("a missing field changed the total to %d", got)
	}
}

func TestHitWindow(t *testing.T) {
	var w hitWindow
	t0 := time.Unix(0, 0)
	if r := w.add(t0, 90, 10, 10*time.Second); r != 90 {
		t.Errorf("first reading %.1f, want the lifetime 90", r)
	}
	if r := w.add(t0.Add(5*time.Second), 91, 13, 10*time.Second); r != 25 {
		t.Errorf("over the window %.1f, want 1 of 4", r)
	}
	if r := w.add(t0.Add(20*time.Second), 91, 13, 10*time.Second); r != Unknown {
		t.Errorf("no lookups %.1f, want Unknown", r)
	}
}

func TestReplicationLag(t *testing.T) {
	states := map[string]*nodeState{
		"127.0.0.1:1": {info: redisinfo.Fields{"role": "master", "master_repl_offset": "1000", "connected_slaves": "2",
			"slave0": "ip=127.0.0.1,port=2,state=online,offset=990,lag=0",
			"slave1": "ip=10.0.0.9,port=6379,state=online,offset=400,lag=1"}},
		"127.0.0.1:2": {info: redisinfo.Fields{"role": "slave"}},
	}
	nodes := []Node{{Addr: "127.0.0.1:1", Role: "master", Lag: Unknown}, {Addr: "127.0.0.1:2", Role: "replica", Lag: Unknown}}
	replicationLag(nodes, states)
	if nodes[1].Lag != 10 || nodes[0].Lag != 600 {
		t.Errorf("replica lag %d, master's largest %d", nodes[1].Lag, nodes[0].Lag)
	}
}

func TestRefusedForGood(t *testing.T) {
	for msg, want := range map[string]string{
		"NOPERM this user has no permissions to run the 'latency|latest' command": "n/a (NOPERM)",
		"ERR unknown command 'LATENCY', with args beginning with: 'LATEST'":       "n/a (unknown command)",
		"ERR unknown subcommand 'latest'. Try LATENCY HELP.":                      "n/a (unknown command)",
		"dial tcp 127.0.0.1:1: connect: connection refused":                       "",
	} {
		got, ok := refusedForGood(errors.New(msg))
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v", msg, got, ok)
		}
	}
}

func TestSlowCommandNeverShowsValues(t *testing.T) {
	if got := slowCommand([]string{"set", "user:42", "secret value"}); got != "SET user:42" {
		t.Errorf("%q", got)
	}
	if got := slowCommand([]string{"get", "a\x1b[31mkey"}); got != "GET a?[31mkey" {
		t.Errorf("control characters kept: %q", got)
	}
}
