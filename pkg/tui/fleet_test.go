package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/target"
)

// fleetTargets are an on-call's five targets: a server hit by a herd, a
// Sentinel pair that failed over, a Cluster with a dead shard, a service
// and a service that does not answer.
var fleetTargets = []string{"prod-eu", "prod-us", "cache", "checkout", "billing"}

// node is a healthy node's INFO figures.
func node(addr, role string) redisstat.Node {
	return redisstat.Node{Addr: addr, Role: role, Clients: 12, Blocked: 0, OpsPerSec: 840, HitRatio: 97.5,
		UsedMemory: 3 << 20, MaxMemory: 100 << 20, Replicas: 0, Lag: redisstat.Unknown}
}

// fleet is every message of the story, in time order, 60 s in.
func fleet() []tea.Msg {
	var msgs []tea.Msg
	started := at(0)
	for s := 0; s <= 60; s += 5 {
		msgs = append(msgs, SampleMsg{Target: "prod-eu", At: at(float64(s)), Snap: healthy(uint64(5 * s))})
	}
	herd := node("10.0.1.5:6379", "master")
	herd.Clients, herd.Blocked, herd.Rejected, herd.RejectedRate = 5, 1, 1290, 21.5
	herd.UsedMemory, herd.Evicted, herd.Replicas, herd.Lag = 96<<20, 3, 1, 1024
	herd.Latency = []redisstat.LatencyEvent{{Event: "command", At: at(52), Latest: 250 * time.Millisecond, Max: 410 * time.Millisecond}}
	herd.Slowlog = []redisstat.SlowEntry{
		{ID: 9, At: at(51), Duration: 212 * time.Millisecond, Command: "KEYS session:*"},
		{ID: 8, At: at(44), Duration: 31 * time.Millisecond, Command: "HGETALL cart:42"},
	}
	msgs = append(msgs, ServerMsg{Target: "prod-eu", Sample: redisstat.Sample{At: at(60), Kind: target.Standalone, Started: started,
		Every: time.Second, Master: herd.Addr, Nodes: []redisstat.Node{herd}}})

	us := healthy(300)
	us.Kind, us.Master = target.Sentinel, "10.0.2.6:6379"
	msgs = append(msgs,
		TransitionMsg{Target: "prod-us", Transition: manager.Transition{From: manager.Closed, To: manager.Open, At: at(20),
			Reason: "5 consecutive failures", Err: "dial tcp 10.0.2.5:6379: connect: connection refused", OpenFor: 5 * time.Second}},
		TransitionMsg{Target: "prod-us", Transition: manager.Transition{From: manager.Open, To: manager.HalfOpen, At: at(25), Reason: "open wait over"}},
		TransitionMsg{Target: "prod-us", Transition: manager.Transition{From: manager.HalfOpen, To: manager.Closed, At: at(26), Reason: "3 successful probes"}},
	)
	us.StateSince, us.Trips, us.Recoveries = at(26), 1, 1
	msgs = append(msgs, SampleMsg{Target: "prod-us", At: at(59), Snap: us}, SampleMsg{Target: "prod-us", At: at(60), Snap: us})
	newMaster, oldMaster := node("10.0.2.6:6379", "master"), node("10.0.2.5:6379", "replica")
	newMaster.Replicas, newMaster.Lag, oldMaster.Lag = 1, 0, 0
	msgs = append(msgs, ServerMsg{Target: "prod-us", Sample: redisstat.Sample{At: at(60), Kind: target.Sentinel, Started: started,
		Every: time.Second, Master: "10.0.2.6:6379", PrevMaster: "10.0.2.5:6379", MasterSince: at(24), Via: "10.0.2.9:26379",
		Nodes: []redisstat.Node{oldMaster, newMaster}}})

	cache := healthy(280)
	cache.Kind, cache.State, cache.StateSince = target.Cluster, manager.HalfOpen, at(58)
	cache.Nodes = []manager.NodeSnapshot{
		{Addr: "10.0.3.1:7000", Role: "master", Slots: []string{"0-5460"}, State: manager.Closed},
		{Addr: "10.0.3.2:7000", Role: "master", Slots: []string{"5461-10922"}, State: manager.Open, LastError: "i/o timeout"},
		{Addr: "10.0.3.3:7000", Role: "master", Slots: []string{"10923-16383"}, State: manager.Closed},
		{Addr: "10.0.3.4:7000", Role: "replica", Master: "10.0.3.1:7000", State: manager.Closed},
	}
	msgs = append(msgs, SampleMsg{Target: "cache", At: at(59), Snap: cache}, SampleMsg{Target: "cache", At: at(60), Snap: cache})
	c1, c3, c4 := node("10.0.3.1:7000", "master"), node("10.0.3.3:7000", "master"), node("10.0.3.4:7000", "replica")
	c1.Replicas, c1.Lag, c4.Lag = 1, 512, 512
	c3.LatencyErr, c3.SlowlogErr = "n/a (NOPERM)", "n/a (NOPERM)"
	dead := redisstat.Node{Addr: "10.0.3.2:7000", Role: "master", Err: "INFO: read tcp 10.0.9.9:51234->10.0.3.2:7000: i/o timeout"}
	msgs = append(msgs, ServerMsg{Target: "cache", Sample: redisstat.Sample{At: at(60), Kind: target.Cluster, Started: started,
		Every: time.Second, Via: "10.0.3.1:7000", Nodes: []redisstat.Node{c1, dead, c3, c4}}})

	msgs = append(msgs,
		SampleMsg{Target: "checkout", At: at(59), Snap: healthy(295), Detail: "services: 4 pass"},
		SampleMsg{Target: "checkout", At: at(60), Snap: healthy(300), Detail: "services: 4 pass"},
		SampleMsg{Target: "billing", At: at(60), Err: "fetch http://10.0.4.7:8080/health/redis: connection refused"},
	)
	return msgs
}
