package manager

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
)

// driveOpen sends GETs until the breaker opens.
func driveOpen(t *testing.T, m *Manager) {
	t.Helper()
	ctx := context.Background()
	for i := 0; m.State() != Open; i++ {
		if i > 50 {
			t.Fatalf("breaker still %v after %d failing calls", m.State(), i)
		}
		_ = m.Do(ctx, get(ctx, "k"))
	}
}

func TestForceOpenFailsFastAndTheProberDoesNotCloseIt(t *testing.T) {
	// Given a manager on a real server that died, its breaker open
	srv := redistest.Start(t)
	o := fast(srv.URL())
	o.HealthInterval, o.ProbeInterval = 50*time.Millisecond, 50*time.Millisecond
	m := newManager(t, o)
	sub := m.Subscribe(64)
	ctx := context.Background()
	srv.Kill()
	driveOpen(t, m)

	// When an operator forces it open and Redis comes back
	m.ForceOpen("INC-7: shed load from Redis")
	forced := awaitState(t, sub, ForcedOpen, time.Second)
	if forced.From != Open || forced.Reason != "INC-7: shed load from Redis" || forced.Err != "" {
		t.Errorf("transition %v→%v %q (err %q), want OPEN→FORCED_OPEN with the reason and no error",
			forced.From, forced.To, forced.Reason, forced.Err)
	}
	srv.Restart()
	restarted := time.Now()

	// Then the monitor sees Redis answer again...
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if p := m.Snapshot().Ping; p.At.After(restarted) && p.Err == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful health PING while forced open: %+v", m.Snapshot().Ping)
		}
	}
	// ...and, past the longest open wait and many probe intervals, the
	// breaker is still held: nothing but the operator ends it
	time.Sleep(m.opts.Breaker.MaxOpenTimeout + 5*m.opts.ProbeInterval)
	s := m.Snapshot()
	if s.State != ForcedOpen || s.StateReason != "INC-7: shed load from Redis" || !s.NextProbe.IsZero() {
		t.Fatalf("snapshot state %v (%q), next probe %v; want FORCED_OPEN with the reason and no probe", s.State, s.StateReason, s.NextProbe)
	}
	select {
	case tr := <-sub.C:
		t.Fatalf("a transition while forced open: %v→%v %q", tr.From, tr.To, tr.Reason)
	default:
	}

	// And every call fails fast with ErrForcedOpen, which is an ErrCircuitOpen
	rejected := s.Rejected
	err := m.Do(ctx, get(ctx, "k"))
	if !errors.Is(err, ErrForcedOpen) || !errors.Is(err, ErrCircuitOpen) || Classify(err) != Rejected {
		t.Fatalf("Do while forced open = %v (class %v), want ErrForcedOpen wrapping ErrCircuitOpen", err, Classify(err))
	}
	if err := m.Client().Get(ctx, "k").Err(); !errors.Is(err, ErrForcedOpen) {
		t.Fatalf("a command on the client while forced open = %v, want ErrForcedOpen", err)
	}
	path, err := m.DoWithFallback(ctx, get(ctx, "k"), func(context.Context, error) error { return nil })
	if path != PathFallback || err != nil {
		t.Fatalf("DoWithFallback while forced open = %v, %v; want the fallback", path, err)
	}
	if got := m.Snapshot().Rejected - rejected; got != 3 {
		t.Errorf("%d calls counted as rejected, want 3", got)
	}

	// When it is reset, it closes and calls go to Redis
	m.Reset()
	reset := awaitState(t, sub, Closed, time.Second)
	if reset.From != ForcedOpen || reset.Reason != "reset" {
		t.Errorf("reset transition %v→%v %q, want FORCED_OPEN→CLOSED reset", reset.From, reset.To, reset.Reason)
	}
	if err := m.Do(ctx, get(ctx, "k")); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET after reset: %v", err)
	}
	if s := m.Snapshot(); s.ConsecutiveFailures != 0 || s.State != Closed {
		t.Errorf("after reset: state %v, consecutive failures %d; want CLOSED, 0", s.State, s.ConsecutiveFailures)
	}
}

func TestDisabledBreakerNeverOpensUnderABlackhole(t *testing.T) {
	// Given a disabled breaker in front of a real server
	srv := redistest.Start(t)
	p := chaos.NewProxy("bh", "127.0.0.1:0", srv.Addr)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	o := fast("redis://" + p.Addr())
	o.HealthInterval = 50 * time.Millisecond
	o.Breaker.FailureRate, o.Breaker.RateMinRequests = 0.1, 2
	m := newManager(t, o)
	sub := m.Subscribe(64)
	m.Disable("breaker flaps on a healthy server")
	awaitState(t, sub, Disabled, time.Second)

	// When the server's traffic disappears into a blackhole
	if _, err := p.AddToxic(chaos.Toxic{Name: "bh", Type: "timeout", Stream: chaos.StreamBoth, Toxicity: 1}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 12 {
		err := m.Do(ctx, get(ctx, "k"))
		// Then every call goes through and times out; none fails fast
		if c := Classify(err); c != Timeout {
			t.Fatalf("call %d while disabled: %v (class %v), want a timeout", i, err, c)
		}
	}
	s := m.Snapshot()
	if s.State != Disabled || s.Trips != 0 || s.Rejected != 0 || s.ByClass[Timeout] < 12 {
		t.Fatalf("state %v, trips %d, rejected %d, timeouts %d; want DISABLED, 0, 0, ≥ 12", s.State, s.Trips, s.Rejected, s.ByClass[Timeout])
	}
	select {
	case tr := <-sub.C:
		t.Fatalf("a transition while disabled: %v→%v %q", tr.From, tr.To, tr.Reason)
	default:
	}

	// When the fault is gone and the breaker reset, it works as before
	if err := p.RemoveToxic("bh"); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	awaitState(t, sub, Closed, time.Second)
	if err := m.Do(ctx, get(ctx, "k")); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET after reset: %v", err)
	}
}

func TestPrometheusShowsTheForcedState(t *testing.T) {
	m := newManager(t, Options{Name: "svc", URL: "redis://127.0.0.1:1", DisableMonitor: true, Clock: newFakeClock()})
	expect := func(state State) string {
		var b strings.Builder
		b.WriteString("# HELP rescli_redis_breaker_state 1 for the breaker's current state, 0 for the others (CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED).\n")
		b.WriteString("# TYPE rescli_redis_breaker_state gauge\n")
		for _, st := range States() {
			v := 0
			if st == state {
				v = 1
			}
			fmt.Fprintf(&b, "rescli_redis_breaker_state{name=\"svc\",state=%q} %d\n", st.String(), v)
		}
		return b.String()
	}
	for _, step := range []struct {
		do   func()
		want State
	}{{func() {}, Closed}, {func() { m.ForceOpen("hold") }, ForcedOpen}, {func() { m.Disable("off") }, Disabled}, {m.Reset, Closed}} {
		step.do()
		if err := testutil.CollectAndCompare(m.Collector(), strings.NewReader(expect(step.want)), "rescli_redis_breaker_state"); err != nil {
			t.Errorf("exposition at %v: %v", step.want, err)
		}
	}
}

func TestClusterForceOpenHoldsEveryNode(t *testing.T) {
	c := redistest.StartCluster(t)
	m := newManager(t, fastTopology(c.URL()))
	keys := keysOnEveryMaster(t, c)
	ctx := context.Background()
	set := func(k string) error {
		return m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Set(ctx, k, "v", 0).Err() })
	}
	for _, k := range keys { // every master's node client exists
		if err := set(k); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
	}
	sub := m.Subscribe(64)

	m.ForceOpen("INC-9: cluster migration")
	s := m.Snapshot()
	if s.State != ForcedOpen || s.StateReason != "INC-9: cluster migration" {
		t.Fatalf("summary state %v (%q), want FORCED_OPEN with the reason", s.State, s.StateReason)
	}
	if len(s.Nodes) < 3 {
		t.Fatalf("%d nodes in the snapshot, want every master", len(s.Nodes))
	}
	for _, n := range s.Nodes {
		if n.State != ForcedOpen || n.StateReason != "INC-9: cluster migration" {
			t.Errorf("node %s (%s): %v (%q), want FORCED_OPEN", n.Addr, n.Role, n.State, n.StateReason)
		}
	}
	for _, k := range keys {
		if err := set(k); !errors.Is(err, ErrForcedOpen) {
			t.Errorf("SET %s while forced open: %v, want ErrForcedOpen", k, err)
		}
		if err := m.Client().Set(ctx, k, "v", 0).Err(); !errors.Is(err, ErrForcedOpen) {
			t.Errorf("SET %s on the cluster client while forced open: %v, want ErrForcedOpen", k, err)
		}
	}
	// One transition for the manager, one for each node
	whole := awaitState(t, sub, ForcedOpen, time.Second)
	for whole.Node != "" {
		whole = awaitState(t, sub, ForcedOpen, time.Second)
	}

	m.Reset()
	if s := m.Snapshot(); s.State != Closed {
		t.Fatalf("summary after reset %v, want CLOSED; nodes %+v", s.State, s.Nodes)
	}
	for _, k := range keys {
		if err := set(k); err != nil {
			t.Errorf("SET %s after reset: %v", k, err)
		}
	}
}
