//go:build linux

package chaos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// sumClientSides adds f over the client sides of p's connections that the
// event loop holds, on the loop's thread; the test is skipped without a
// loop.
func sumClientSides(t *testing.T, p *Proxy, f func(*lside) int) int {
	t.Helper()
	l := p.loop
	if l == nil {
		t.Skip("no event loop (GOMAXPROCS 1)")
	}
	n := 0
	l.do(func() {
		for _, e := range l.fds {
			if s := e.side; s != nil && s == &s.lc.cl && s.lc.c.p == p {
				n += f(s)
			}
		}
	})
	return n
}

// heldTowardsClients is how many bytes the event loop holds for p's
// clients under latency faults.
func heldTowardsClients(t *testing.T, p *Proxy) int {
	t.Helper()
	return sumClientSides(t, p, func(s *lside) int { return s.heldBytes })
}

// The loop plays a latency fault itself: the connection stays on the
// pass-through path, its replies are held at least the latency and come
// back complete and in order, jitter or not.
func TestLatencyInTheLoopKeepsRepliesInOrder(t *testing.T) {
	_, p := startRedisProxy(t, nil,
		always("lat", "latency", "downstream", Attributes{"latency": 30, "jitter": 20}))
	nc := rawConn(t, p.Addr())
	var want bytes.Buffer
	start := time.Now()
	for i := range 300 { // 300 writes in 30 bursts: many reads, many held chunks
		fmt.Fprintf(&want, "$%d\r\n%d\r\n", len(fmt.Sprint(i)), i)
		if _, err := fmt.Fprintf(nc, "ECHO %d\r\n", i); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			time.Sleep(time.Millisecond)
		}
	}
	got := make([]byte, want.Len())
	if _, err := io.ReadFull(nc, got); err != nil {
		t.Fatalf("read %d bytes: %v", len(got), err)
	}
	if took := time.Since(start); took < 10*time.Millisecond {
		t.Fatalf("replies came back after %v, under the 10 ms the fault holds the least", took)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("replies out of order or changed:\n%q", got)
	}
	conns := p.Connections()
	if p.loop != nil && (len(conns) != 1 || conns[0].Path != "pass-through" || len(conns[0].Faults) != 1) {
		t.Fatalf("connections %+v: want one on the pass-through path with the latency fault", conns)
	}
}

// pongHeldInTheLoop is a proxy whose loop holds a PING's reply under a
// one-minute latency fault, and the client waiting for it.
func pongHeldInTheLoop(t *testing.T) (*Proxy, net.Conn) {
	t.Helper()
	_, p := startRedisProxy(t, nil, always("lat", "latency", "downstream", Attributes{"latency": 60_000}))
	nc := rawConn(t, p.Addr())
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reply held", func() bool { return heldTowardsClients(t, p) == len("+PONG\r\n") })
	return p, nc
}

// expectNothingFor300ms checks that the reply held under a one-minute
// latency is still held: nothing arrives for 300 ms.
func expectNothingFor300ms(t *testing.T, nc net.Conn, when string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if b, err := io.ReadAll(nc); len(b) > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read %q, %v %s: want the reply still held by the one-minute latency", b, err, when)
	}
}

// removingLatencyReleases removes pongHeldInTheLoop's latency fault and
// expects the PONG at once.
func removingLatencyReleases(t *testing.T, p *Proxy, nc net.Conn) {
	t.Helper()
	if err := p.RemoveToxic("lat"); err != nil {
		t.Fatal(err)
	}
	expectReply(t, nc, "+PONG\r\n")
}

// Removing a latency fault lets what it held go at once.
func TestRemovingLatencyReleasesWhatTheLoopHeld(t *testing.T) {
	p, nc := pongHeldInTheLoop(t)
	removingLatencyReleases(t, p, nc)
}

// Adding a second latency fault leaves what the loop holds at its time
// (as the goroutine path does); removing the first lets it go.
func TestAddingLatencyKeepsWhatTheLoopHeld(t *testing.T) {
	p, nc := pongHeldInTheLoop(t)
	if _, err := p.AddToxic(always("lat2", "latency", "downstream", Attributes{"latency": 1})); err != nil {
		t.Fatal(err)
	}
	expectNothingFor300ms(t, nc, "after adding a 1 ms latency")
	if n := heldTowardsClients(t, p); n != len("+PONG\r\n") {
		t.Fatalf("the loop holds %d bytes: want the PONG, still in the loop", n)
	}
	removingLatencyReleases(t, p, nc)
}

// A fault the loop does not play moves the connection to goroutines with
// the bytes the loop held, none lost, each still held until its time: the
// new fault does not cut the latency short. Removing the latency fault
// then lets them go.
func TestAnotherFaultTakesHeldBytesToGoroutines(t *testing.T) {
	p, nc := pongHeldInTheLoop(t)
	if _, err := p.AddToxic(always("slice", "slicer", "downstream", Attributes{"average_size": 1})); err != nil {
		t.Fatal(err)
	}
	if n := heldTowardsClients(t, p); n != 0 { // AddToxic returns once it left the loop
		t.Fatalf("the loop still holds %d bytes after the hand-over", n)
	}
	expectNothingFor300ms(t, nc, "after the hand-over")
	removingLatencyReleases(t, p, nc)
	eventually(t, "the connection on the inspecting path", func() bool { // the slicer's
		conns := p.Connections()
		return len(conns) == 1 && conns[0].Path == "inspecting"
	})
}

// Updating the latency fault after a hand-over lets go of what the loop
// held (an update is a new fault, as on either path), though a latency
// fault is still set.
func TestUpdatingLatencyReleasesHandedOverBytes(t *testing.T) {
	p, nc := pongHeldInTheLoop(t)
	if _, err := p.AddToxic(always("slice", "slicer", "downstream", Attributes{"average_size": 1})); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpdateToxic("lat", nil, Attributes{"latency": 1}); err != nil {
		t.Fatal(err)
	}
	expectReply(t, nc, "+PONG\r\n")
}

// Held bytes handed over go at their time, not before and not a latency
// later: the goroutines do not draw the delay again.
func TestHandedOverHeldBytesKeepTheirTime(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("lat", "latency", "downstream", Attributes{"latency": 600}))
	nc := rawConn(t, p.Addr())
	sent := time.Now()
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reply held", func() bool { return heldTowardsClients(t, p) == len("+PONG\r\n") })
	if _, err := p.AddToxic(always("slice", "slicer", "downstream", Attributes{"average_size": 1})); err != nil {
		t.Fatal(err)
	}
	expectReply(t, nc, "+PONG\r\n")
	if took := time.Since(sent); took < 590*time.Millisecond || took > 1100*time.Millisecond {
		t.Fatalf("the reply came %v after the request: want its 600 ms, not less and not drawn twice", took)
	}
}

// What Redis sent before it closed is written, at its time, before the
// client sees the end.
func TestHeldBytesGoBeforeTheEnd(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, _ = c.Write([]byte("+BYE\r\n"))
			_ = c.Close()
		}
	}()
	p := startProxy(t, ln.Addr().String(), nil, always("lat", "latency", "downstream", Attributes{"latency": 100}))
	nc := rawConn(t, p.Addr())
	start := time.Now()
	b, err := io.ReadAll(nc)
	if string(b) != "+BYE\r\n" || err != nil {
		t.Fatalf("read %q, %v; want +BYE then the end", b, err)
	}
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Fatalf("the held reply came %v after connecting, before its 100 ms", took)
	}
}

// Values past what the loop holds towards one socket (maxHeld) go through
// latency in both directions byte for byte: reading stops while the held
// bytes are at the bound and goes on as they are written.
func TestLatencyBothWaysKeepsLargeValuesExact(t *testing.T) {
	_, p := startRedisProxy(t, nil, always("lat", "latency", StreamBoth, Attributes{"latency": 2, "jitter": 2}))
	c := client(t, p.Addr())
	ctx := ctx(t)
	big := make([]byte, 2*maxHeld+12345)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	if err := c.Set(ctx, "big", big, 0).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, "big").Bytes()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("%d bytes through latency both ways: %d back, %v", len(big), len(got), err)
	}
	if conns := p.Connections(); p.loop != nil && (len(conns) != 1 || conns[0].Path != "pass-through") {
		t.Fatalf("connections %+v: want one on the pass-through path", conns)
	}
}
