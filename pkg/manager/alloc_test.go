package manager

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/target"
)

// The calls a service makes most often cost no allocation in the breaker:
// what BenchmarkPermitPath and BenchmarkFailFastForcedOpen report, held
// here so that a change that starts allocating fails a test.
func TestHotPathsDoNotAllocate(t *testing.T) {
	slowRule := BreakerSettings{FailureThreshold: 1 << 30, FailureRate: 0.99, RateMinRequests: 1 << 30,
		SlowCallDuration: time.Second, SlowCallRateThreshold: 0.99}
	cases := []struct {
		name string
		set  BreakerSettings
		prep func(*breaker)
		call func(*breaker)
	}{
		{"success, defaults", BreakerSettings{}, nil, func(b *breaker) { b.success(b.allow(false), time.Millisecond) }},
		{"slow success, rate rules on", slowRule, nil, func(b *breaker) { b.success(b.allow(false), 2*time.Second) }},
		{"failure that does not trip", slowRule, nil, func(b *breaker) { b.failure(b.allow(false), errDown, time.Millisecond) }},
		{"failure while DISABLED", BreakerSettings{FailureRate: 0.1, RateMinRequests: 2, SlowCallDuration: time.Millisecond},
			func(b *breaker) { b.control(Disabled, "test") },
			func(b *breaker) { b.failure(b.allow(false), errDown, time.Second) }},
	}
	for _, tc := range cases {
		b := newBreaker(tc.set, newFakeClock(), nil)
		if tc.prep != nil {
			tc.prep(b)
		}
		tc.call(b) // first use may size buckets
		if n := testing.AllocsPerRun(1000, func() { tc.call(b) }); n != 0 {
			t.Errorf("%s: %.1f allocations per call, want 0", tc.name, n)
		}
	}

	m, err := New(Options{Target: target.Target{Addrs: []string{"127.0.0.1:1"}}, DisableMonitor: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.ForceOpen("test")
	ctx := context.Background()
	op := func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() }
	if n := testing.AllocsPerRun(1000, func() { _ = m.Do(ctx, op) }); n != 0 {
		t.Errorf("Do while FORCED_OPEN: %.1f allocations per call, want 0", n)
	}
}
