package chaos

import (
	"testing"
	"time"
)

func TestLatenessBuckets(t *testing.T) {
	var h lateness
	for range 98 {
		h.observe(-5 * time.Microsecond) // early within the slop: on time
	}
	h.observe(30 * time.Microsecond)
	h.observe(time.Second) // past the last bound
	s := h.snapshot()
	if s.Held != 100 || s.P50Micros != 10 || s.P99Micros != 50 {
		t.Fatalf("snapshot %+v: want 100 held, p50 ≤ 10 µs, p99 ≤ 50 µs", s)
	}
	if want := (30*time.Microsecond + time.Second).Seconds() * 1e6 / 100; s.MeanMicros != want {
		t.Fatalf("mean %v µs, want %v (early holds count as 0)", s.MeanMicros, want)
	}
	c := s.cumulative()
	if c[10e-6] != 98 || c[50e-6] != 99 || c[0.1] != 99 {
		t.Fatalf("cumulative buckets %v: want 98 by 10 µs, 99 by 50 µs and 100 ms", c)
	}
	var ten lateness // nine on time and one a millisecond late: p99 is the late one
	for range 9 {
		ten.observe(0)
	}
	ten.observe(time.Millisecond)
	if s := ten.snapshot(); s.P50Micros != 10 || s.P99Micros != 1000 {
		t.Fatalf("ten holds %+v: want p50 ≤ 10 µs, p99 ≤ 1 ms (nearest rank)", s)
	}
	h.observe(2 * time.Second)
	if s := h.snapshot(); s.P99Micros != -1 {
		t.Fatalf("p99 %d with two holds past 100 ms in 101: want -1", s.P99Micros)
	}
}

// Every held reply that ran to its time is counted once, on both paths,
// and the count says how late: a 20 ms hold is not 5 ms late at
// the median, even under -race.
func TestLatencyFaultCountsHowLateItRan(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			_, p := startRedisProxy(t, path.opts, always("lat", "latency", "downstream", Attributes{"latency": 20}))
			nc := rawConn(t, p.Addr())
			for range 10 {
				start := time.Now()
				if _, err := nc.Write([]byte("PING\r\n")); err != nil {
					t.Fatal(err)
				}
				expectReply(t, nc, "+PONG\r\n")
				if took := time.Since(start); took < 19*time.Millisecond {
					t.Fatalf("reply after %v, under the fault's 20 ms", took)
				}
			}
			s := p.Stats().LatencyLate
			// (the goroutine path waits on a runtime timer without the
			// loop: up to a millisecond late while the process idles)
			if s.Held != 10 || s.P50Micros < 0 || s.P50Micros > 5000 {
				t.Fatalf("lateness %+v: want 10 holds, the median within 5 ms of its time", s)
			}
		})
	}
}

// A hold cut short by removing its fault is not a hold that ran late.
func TestLatenessLeavesOutHoldsCutShort(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			_, p := startRedisProxy(t, path.opts, always("lat", "latency", "downstream", Attributes{"latency": 60_000}))
			nc := rawConn(t, p.Addr())
			if _, err := nc.Write([]byte("PING\r\n")); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // an idle Redis's PONG reaches the proxy well before
			if err := p.RemoveToxic("lat"); err != nil {
				t.Fatal(err)
			}
			expectReply(t, nc, "+PONG\r\n")
			if s := p.Stats().LatencyLate; s.Held != 0 {
				t.Fatalf("lateness %+v after the fault was removed: want nothing counted", s)
			}
		})
	}
}

// paths are the proxy's two ways of serving a connection, for tests that
// hold for both.
var paths = []struct {
	name string
	opts []Option
}{{"loop", nil}, {"goroutines", []Option{func(o *options) { o.noLoop = true }}}}
