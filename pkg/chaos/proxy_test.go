package chaos

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
)

func TestForwardsUnchangedWithoutFaults(t *testing.T) {
	t.Run("loop", func(t *testing.T) { forwardsUnchanged(t, nil) })
	t.Run("goroutines", func(t *testing.T) {
		forwardsUnchanged(t, []Option{func(o *options) { o.noLoop = true }})
	})
}

func forwardsUnchanged(t *testing.T, opts []Option) {
	_, p := startRedisProxy(t, opts)
	c := client(t, p.Addr())
	ctx := ctx(t)

	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if err := c.Set(ctx, "big", big, 0).Err(); err != nil {
		t.Fatalf("SET 1 MiB through the proxy: %v", err)
	}
	got, err := c.Get(ctx, "big").Bytes()
	if err != nil || sha256.Sum256(got) != sha256.Sum256(big) {
		t.Fatalf("GET 1 MiB: %d bytes, err %v; want the value unchanged", len(got), err)
	}
	st := p.Stats()
	if st.Accepted != 1 || st.Current != 1 || st.Peak != 1 {
		t.Fatalf("stats = %+v, want 1 accepted, 1 current, peak 1", st)
	}
	if conns := p.Connections(); len(conns) != 1 || conns[0].Path != "pass-through" {
		t.Fatalf("connections = %+v, want one on the pass-through path", conns)
	}
}

func TestCountsCurrentAndPeakConnections(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	var conns []net.Conn
	for range 5 {
		nc := dialPing(t, p.Addr())
		conns = append(conns, nc)
	}
	if st := p.Stats(); st.Current != 5 || st.Peak != 5 {
		t.Fatalf("with 5 open: current %d peak %d, want 5 and 5", st.Current, st.Peak)
	}
	for _, nc := range conns[:3] {
		_ = nc.Close()
	}
	eventually(t, "current to drop to 2", func() bool { return p.Stats().Current == 2 })
	if st := p.Stats(); st.Peak != 5 || st.Accepted != 5 {
		t.Fatalf("after closing 3: %+v, want peak 5 and 5 accepted", st)
	}
	p.ResetPeak()
	if st := p.Stats(); st.Peak != 2 {
		t.Fatalf("after ResetPeak: peak %d, want 2", st.Peak)
	}
}

// dialPing opens a raw connection through addr and checks it answers PING.
func dialPing(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		t.Fatalf("write PING: %v", err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(nc, buf); err != nil || string(buf) != "+PONG\r\n" {
		t.Fatalf("PING through proxy: %q %v", buf, err)
	}
	return nc
}

func TestUpstreamThatRefusesClosesClientAndKeepsServing(t *testing.T) {
	srv, p := startRedisProxy(t, nil)
	good := srv.Addr
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	_ = dead.Close()

	p.SetUpstream(deadAddr)
	nc, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("the proxy itself must accept: %v", err)
	}
	defer nc.Close()
	if n, err := nc.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from a connection whose upstream refused", n)
	}
	eventually(t, "a dial error to be counted", func() bool { return p.Stats().DialErrors == 1 })

	p.SetUpstream(good)
	dialPing(t, p.Addr())
}

// Given 10,000 connections opened and closed through the proxy,
// goroutines and file descriptors return to where they were.
func TestManyConnectionsLeaveNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10,000 connections")
	}
	_, p := startRedisProxy(t, nil)
	dialPing(t, p.Addr()).Close()
	eventually(t, "warm-up connection to close", func() bool { return p.Stats().Current == 0 })
	baseG, baseFD := runtime.NumGoroutine(), openFDs(t)

	const total, workers = 10_000, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				if err := pingOnce(p.Addr()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("connection through proxy: %v", err)
	}
	eventually(t, "all connections to close", func() bool { return p.Stats().Current == 0 })
	if st := p.Stats(); st.Accepted != total+1 {
		t.Fatalf("accepted %d, want %d", st.Accepted, total+1)
	}
	eventually(t, "goroutines and fds back to baseline", func() bool {
		return runtime.NumGoroutine() <= baseG && openFDs(t) <= baseFD
	})
}

// An idle connection costs the proxy its two sockets and nothing more: no
// buffer, no pipe. (io.Copy's splice holds a pipe per waiting direction,
// which took 4.5 descriptors per connection and halved how many fit under
// a descriptor limit.)
func TestIdleConnectionsHoldTwoDescriptors(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	dialPing(t, p.Addr()).Close()
	eventually(t, "warm-up connection to close", func() bool { return p.Stats().Current == 0 })
	base := openFDs(t)
	const n = 100
	for range n {
		dialPing(t, p.Addr()) // one more descriptor here, in the test
	}
	eventually(t, "connections to be idle", func() bool { return p.Stats().Current == n })
	if per := float64(openFDs(t)-base)/n - 1; per > 2.2 {
		t.Fatalf("%.2f descriptors per idle connection in the proxy, want 2", per)
	}
}

func pingOnce(addr string) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(nc, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("got %q", buf)
	}
	return nil
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count fds: %v", err)
	}
	return len(ents)
}

func TestFaultAddedToOpenConnectionActsOnItsNextRequest(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	c := client(t, p.Addr())
	ctx := ctx(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// Given a pooled connection that is splicing, when an error fault is added,
	if _, err := p.AddToxic(always("oom", "error", "", Attributes{"error": "OOM", "command": "set"})); err != nil {
		t.Fatal(err)
	}
	// then its next SET fails and GET still works on the same connection,
	err := c.Set(ctx, "k", "w", 0).Err()
	if err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("SET after the fault was added: %v", err)
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v; want v", v, err)
	}
	// and once it is removed, SET works again.
	if err := p.RemoveToxic("oom"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", "w", 0).Err(); err != nil {
		t.Fatalf("SET after removal: %v", err)
	}
	// With no fault left, the connection goes back to passing through.
	eventually(t, "the connection to pass through again", func() bool {
		conns := p.Connections()
		return len(conns) == 1 && conns[0].Path == "pass-through"
	})
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "w" {
		t.Fatalf("GET after going back to pass-through = %q, %v", v, err)
	}
	if _, err := p.AddToxic(always("oom", "error", "", Attributes{"error": "OOM", "command": "set"})); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", "x", 0).Err(); err == nil {
		t.Fatal("SET succeeded after the fault was added a second time")
	}
	if st := p.Stats(); st.Accepted != 1 {
		t.Fatalf("the client reconnected (%d accepted): the fault must act on the open connection", st.Accepted)
	}
}

func TestCloseEndsOpenConnections(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	nc := dialPing(t, p.Addr())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && err == nil {
		t.Fatalf("read after Close: %v, want EOF or reset", err)
	}
	if _, err := p.AddToxic(always("x", "latency", "", nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddToxic after Close: %v, want ErrClosed", err)
	}
	if !refused(p.Addr()) {
		t.Fatal("the port still accepts after Close")
	}
}

func TestUpstreamReadsWhileItChanges(t *testing.T) {
	p := NewProxy("r", "127.0.0.1:0", "127.0.0.1:1")
	defer p.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 100 {
			p.SetUpstream("127.0.0.1:2")
		}
	}()
	for range 100 {
		if u := p.Upstream(); u != "127.0.0.1:1" && u != "127.0.0.1:2" {
			t.Fatalf("Upstream() = %q", u)
		}
	}
	wg.Wait()
	if u := p.Upstream(); u != "127.0.0.1:2" {
		t.Fatalf("Upstream() after SetUpstream = %q", u)
	}
}
