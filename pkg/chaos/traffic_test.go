package chaos

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Given steady traffic on many connections, adding and removing faults
// never hangs and every reply stays right: with the event loop, and on
// goroutines alone (what non-Linux builds and GOMAXPROCS 1 run).
func TestChangingFaultsUnderTrafficNeverHangs(t *testing.T) {
	t.Run("loop", func(t *testing.T) { changingFaultsUnderTraffic(t, nil) })
	t.Run("goroutines", func(t *testing.T) {
		changingFaultsUnderTraffic(t, []Option{func(o *options) { o.noLoop = true }})
	})
}

func changingFaultsUnderTraffic(t *testing.T, opts []Option) {
	_, p := startRedisProxy(t, opts)
	c := client(t, p.Addr(), 16)
	ctx := ctx(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var ops, bad atomic.Int64
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key, val := fmt.Sprintf("w%d", w), fmt.Sprint(i)
				if err := c.Set(ctx, key, val, 0).Err(); err != nil {
					if err.Error() != "ERR injected" {
						bad.Add(1)
					}
					continue
				}
				if got, err := c.Get(ctx, key).Result(); err == nil && got != val {
					bad.Add(1) // a reply landed on the wrong command
				}
				ops.Add(1)
			}
		}()
	}
	toxics := []Toxic{
		always("lat", "latency", "both", Attributes{"latency": 1}),
		always("slice", "slicer", "downstream", Attributes{"average_size": 3, "delay": 0}),
		Toxic{Name: "err", Type: "error", Toxicity: 0.3, Attributes: Attributes{"message": "ERR injected", "command": "set"}},
		always("bw", "bandwidth", "upstream", Attributes{"rate": 10_000}),
	}
	for round := range 40 {
		tx := toxics[round%len(toxics)]
		if _, err := p.AddToxic(tx); err != nil {
			t.Fatal(err)
		}
		before := ops.Load()
		eventually(t, "traffic through "+tx.Name, func() bool { return ops.Load() > before+5 })
		if err := p.RemoveToxic(tx.Name); err != nil {
			t.Fatal(err)
		}
	}
	// With every fault gone, busy connections go back to passing through.
	eventually(t, "every connection to pass through again", func() bool {
		for _, conn := range p.Connections() {
			if conn.Path != "pass-through" {
				return false
			}
		}
		return true
	})
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d wrong replies in %d operations", bad.Load(), ops.Load())
	}
}

func TestRedisToolsThroughTheProxy(t *testing.T) {
	for _, bin := range []string{"redis-cli", "redis-benchmark"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed", bin)
		}
	}
	_, p := startRedisProxy(t, nil)
	host, port, _ := net.SplitHostPort(p.Addr())
	out, err := exec.Command("redis-cli", "-h", host, "-p", port, "SET", "tool", "ok").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("redis-cli SET: %q %v", out, err)
	}
	out, err = exec.Command("redis-benchmark", "-h", host, "-p", port, "-t", "set,get", "-n", "2000", "-c", "10", "-P", "4", "-q").CombinedOutput()
	if err != nil || strings.Count(string(out), "requests per second") != 2 || strings.Contains(strings.ToLower(string(out)), "error") {
		t.Fatalf("redis-benchmark through the proxy: %v\n%s", err, out)
	}
}

// RESP3: pushes (client-side caching invalidations) pass in place while
// Redis-level faults are parsing replies, and made-up errors keep order.
func TestRESP3PushesAndErrorsKeepOrder(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR nope", "key": "bad"}))
	ctx := ctx(t)
	nc := rawConn(t, p.Addr())
	send := func(cmds ...string) {
		for _, c := range cmds {
			if _, err := nc.Write([]byte(c + "\r\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("HELLO 3", "CLIENT TRACKING on", "GET k")
	r := newReplyReader(nc)
	if hello := r.next(t); !strings.HasPrefix(hello, "%") {
		t.Fatalf("HELLO 3 reply %q, want a RESP3 map", hello)
	}
	if got := r.next(t); got != "+OK\r\n" {
		t.Fatalf("CLIENT TRACKING: %q", got)
	}
	if got := r.next(t); got != "_\r\n" {
		t.Fatalf("GET k: %q, want RESP3 null", got)
	}
	if err := srv.Client().Set(ctx, "k", "v", 0).Err(); err != nil { // invalidates k
		t.Fatal(err)
	}
	// The push arrives on its own, between replies.
	if got := r.next(t); !strings.HasPrefix(got, ">2\r\n$10\r\ninvalidate\r\n") {
		t.Fatalf("want the invalidation push, got %q", got)
	}
	send("GET k", "GET bad", "PING")
	if got := r.next(t); got != "$1\r\nv\r\n" {
		t.Fatalf("GET k: %q", got)
	}
	if got := r.next(t); got != "-ERR nope\r\n" {
		t.Fatalf("GET bad: %q", got)
	}
	if got := r.next(t); got != "+PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
}

func TestPubSubPassesThroughWhileFaultsAreSet(t *testing.T) {
	srv, p := startRedisProxy(t, nil, always("e", "error", "", Attributes{"message": "ERR nope", "command": "get"}))
	ctx := ctx(t)
	c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1, Protocol: 2})
	defer c.Close()
	sub := c.Subscribe(ctx, "ch")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatalf("subscribe through the proxy: %v", err)
	}
	if err := srv.Client().Publish(ctx, "ch", "hello").Err(); err != nil {
		t.Fatal(err)
	}
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Payload != "hello" {
		t.Fatalf("message: %+v %v", msg, err)
	}
	if err := c.Get(ctx, "k").Err(); err == nil || err.Error() != "ERR nope" {
		t.Fatalf("GET on another connection: %v", err)
	}
}

// replyReader reads whole RESP replies from a connection.
type replyReader struct {
	nc  net.Conn
	buf []byte
}

func newReplyReader(nc net.Conn) *replyReader { return &replyReader{nc: nc} }

func (r *replyReader) next(t *testing.T) string {
	t.Helper()
	for {
		if n, _, err := parseReply(r.buf); err == nil {
			out := string(r.buf[:n])
			r.buf = r.buf[n:]
			return out
		}
		tmp := make([]byte, 4096)
		n, err := r.nc.Read(tmp)
		if err != nil {
			t.Fatalf("read reply (have %q): %v", r.buf, err)
		}
		r.buf = append(r.buf, tmp[:n]...)
	}
}

// Given clients that stopped reading while a large reply is on its way
// (one splicing, one inspecting), changing faults still returns.
func TestFaultChangesDoNotWaitForStuckClients(t *testing.T) {
	srv, p := startRedisProxy(t, nil)
	ctx := ctx(t)
	if err := srv.Client().Set(ctx, "big", strings.Repeat("x", 8<<20), 0).Err(); err != nil {
		t.Fatal(err)
	}
	stuck := func() {
		nc := rawConn(t, p.Addr())
		if _, err := nc.Write([]byte("GET big\r\nGET big\r\nGET big\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	stuck() // passing through, soon blocked writing to its client
	if _, err := p.AddToxic(always("lat", "latency", "downstream", Attributes{"latency": 1})); err != nil {
		t.Fatal(err)
	}
	stuck() // inspecting, blocked writing to its client
	if err := p.RemoveToxic("lat"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddToxic(always("e", "error", "", Attributes{"message": "ERR x", "command": "set"})); err != nil {
		t.Fatal(err)
	}
	dialPing(t, p.Addr()) // and the proxy still serves others
}
