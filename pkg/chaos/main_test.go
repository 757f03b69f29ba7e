package chaos

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startProxy starts a proxy in front of upstream with the given faults set
// before the first connection; it is closed when the test ends.
func startProxy(t *testing.T, upstream string, opts []Option, toxics ...Toxic) *Proxy {
	t.Helper()
	p := NewProxy("redis", "127.0.0.1:0", upstream, opts...)
	for _, tx := range toxics {
		if _, err := p.AddToxic(tx); err != nil {
			t.Fatalf("add toxic: %v", err)
		}
	}
	if err := p.Start(); err != nil {
		t.Fatalf("start proxy: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// startRedisProxy starts a redis-server and a proxy in front of it.
func startRedisProxy(t *testing.T, opts []Option, toxics ...Toxic) (*redistest.Server, *Proxy) {
	t.Helper()
	srv := redistest.Start(t)
	return srv, startProxy(t, srv.Addr, opts, toxics...)
}

// client returns a go-redis client through addr with no retries and a
// pool of one connection unless size says otherwise.
func client(t *testing.T, addr string, size ...int) *redis.Client {
	t.Helper()
	n := 1
	if len(size) > 0 {
		n = size[0]
	}
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, Protocol: 2, PoolSize: n,
		ReadTimeout: 10 * time.Second, DisableIdentity: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// eventually polls cond until it holds: for state another goroutine
// reaches asynchronously (a counter, a closed listener).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func refused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = c.Close()
		return false
	}
	return true
}

func always(name, typ, stream string, attrs Attributes) Toxic {
	return Toxic{Name: name, Type: typ, Stream: stream, Toxicity: 1, Attributes: attrs}
}

func expectReply(t *testing.T, nc net.Conn, want string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(nc, got); err != nil || string(got) != want {
		t.Fatalf("reply %q, %v; want %q well before the 60 s latency", got, err, want)
	}
}
