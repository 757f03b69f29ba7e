package health

import (
	"errors"
	"testing"
	"time"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/orchestrate"
)

func TestRedisRules(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	okPing := manager.PingResult{At: now.Add(-time.Second), Latency: time.Millisecond}
	facts := ServerFacts{At: now, ConnectedClients: 10, MaxClients: 100, Role: "master", UsedMemory: 10, MaxMemory: 100}
	base := func() redisInput {
		return redisInput{snap: manager.Snapshot{State: manager.Closed, Ping: okPing, Pool: manager.PoolStats{Size: 20}},
			facts: facts, interval: 30 * time.Second, now: now}
	}
	cases := []struct {
		name  string
		edit  func(*redisInput)
		check string
		want  Status
	}{
		{"all well", func(*redisInput) {}, "redis:circuitBreaker", Pass},
		{"breaker open", func(in *redisInput) { in.snap.State = manager.Open }, "redis:circuitBreaker", Fail},
		{"breaker half-open", func(in *redisInput) { in.snap.State = manager.HalfOpen }, "redis:circuitBreaker", Warn},
		{"no ping yet", func(in *redisInput) { in.snap.Ping = manager.PingResult{} }, "redis:responseTime", Warn},
		{"ping failed", func(in *redisInput) { in.snap.Ping.Err = "i/o timeout" }, "redis:responseTime", Fail},
		{"ping slow", func(in *redisInput) { in.snap.Ping.Latency = 150 * time.Millisecond }, "redis:responseTime", Warn},
		{"ping stale", func(in *redisInput) { in.snap.Ping.At = now.Add(-2 * time.Minute) }, "redis:responseTime", Warn},
		{"ping old but open", func(in *redisInput) { in.snap.Ping.At = now.Add(-2 * time.Minute); in.snap.State = manager.Open }, "redis:responseTime", Pass},
		{"pool exhausted", func(in *redisInput) { in.snap.Pool.InUse = 20 }, "redis:pool", Warn},
		{"clients near maxclients", func(in *redisInput) { in.facts.ConnectedClients = 80 }, "redis:connections", Warn},
		{"clients below", func(in *redisInput) { in.facts.ConnectedClients = 79 }, "redis:connections", Pass},
		{"INFO failed", func(in *redisInput) { in.facts.Error = "read INFO: timeout" }, "redis:connections", Warn},
		{"no INFO yet", func(in *redisInput) { in.facts = ServerFacts{} }, "redis:connections", Warn},
		{"rejections since poll", func(in *redisInput) { in.facts.RejectedSincePoll = 3 }, "redis:rejectedConnections", Warn},
		{"memory near maxmemory", func(in *redisInput) { in.facts.UsedMemory = 95 }, "redis:memory", Warn},
		{"no maxmemory", func(in *redisInput) { in.facts.UsedMemory, in.facts.MaxMemory = 1e9, 0 }, "redis:memory", Pass},
		{"replica link down", func(in *redisInput) { in.facts.Role, in.facts.MasterLinkStatus = "slave", "down" }, "redis:replication", Warn},
	}
	th := Thresholds{}
	th.defaults()
	for _, tc := range cases {
		in := base()
		tc.edit(&in)
		got := redisChecks(in, th)[tc.check]
		if len(got) != 1 || got[0].Status != tc.want {
			t.Errorf("%s: %s = %+v, want %s", tc.name, tc.check, got, tc.want)
			continue
		}
		if (got[0].Status == Pass) != (got[0].Output == "") {
			t.Errorf("%s: output %q with status %s", tc.name, got[0].Output, got[0].Status)
		}
	}
}

func TestServiceRules(t *testing.T) {
	cases := []struct {
		state    orchestrate.State
		critical bool
		err      error
		want     Status
	}{
		{orchestrate.StateStarted, true, nil, Pass},
		{orchestrate.StateStarted, true, errors.New("db gone"), Fail},
		{orchestrate.StateStarted, false, errors.New("slow"), Warn},
		{orchestrate.StateDegraded, false, nil, Warn},
		{orchestrate.StateSkipped, false, nil, Warn},
		{orchestrate.StateFailed, true, nil, Fail},
		{orchestrate.StateStarting, true, nil, Warn},
		{orchestrate.StateStopping, false, nil, Fail},
	}
	for _, tc := range cases {
		got, out := serviceStatus(orchestrate.ServiceStatus{State: tc.state, Critical: tc.critical},
			orchestrate.HealthResult{Err: tc.err})
		if got != tc.want || (got != Pass && out == "") {
			t.Errorf("%s critical=%v err=%v = %s %q, want %s", tc.state, tc.critical, tc.err, got, out, tc.want)
		}
	}
}

func TestWorstAndCodes(t *testing.T) {
	if Worst() != Pass || Worst(Pass, Warn) != Warn || Worst(Warn, Fail, Pass) != Fail || Worst("bogus") != Fail {
		t.Error("Worst")
	}
	if Pass.HTTPCode() != 200 || Warn.HTTPCode() != 200 || Fail.HTTPCode() != 503 {
		t.Error("HTTPCode")
	}
}

func TestLifecycleRules(t *testing.T) {
	svc := func(st orchestrate.State) []orchestrate.ServiceStatus {
		return []orchestrate.ServiceStatus{{Name: "a", State: orchestrate.StateStarted}, {Name: "b", State: st}}
	}
	cases := []struct {
		name string
		st   orchestrate.Status
		want Status
	}{
		{"not run yet", orchestrate.Status{Services: svc(orchestrate.StatePending)}, Fail},
		{"starting", orchestrate.Status{Running: true, Elapsed: 1, Services: svc(orchestrate.StateStarting)}, Fail},
		{"up", orchestrate.Status{Elapsed: 1, Services: svc(orchestrate.StateStarted)}, Pass},
		{"degraded is not lifecycle's business", orchestrate.Status{Elapsed: 1, Services: svc(orchestrate.StateDegraded)}, Pass},
		{"draining", orchestrate.Status{Elapsed: 1, Services: svc(orchestrate.StateStopping)}, Fail},
	}
	for _, tc := range cases {
		if got, why := lifecycleStatus(tc.st); got != tc.want || (got != Pass && why == "") {
			t.Errorf("%s: %s %q, want %s", tc.name, got, why, tc.want)
		}
	}
}
