package chaos

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// registerForTest registers a fault type for one test only.
func registerForTest(t *testing.T, name string, newFault func() Fault) {
	t.Helper()
	Register(name, newFault)
	t.Cleanup(func() {
		registryMu.Lock()
		delete(registry, name)
		registryMu.Unlock()
	})
}

// Faults with a bug: each panics where its kind of fault runs.
type (
	panicPipe     struct{}
	panicConnRun  struct{}
	panicProxyRun struct{}
	panicAdmit    struct{}
	panicValidate struct{}
)

func (panicPipe) Validate() error     { return nil }
func (panicConnRun) Validate() error  { return nil }
func (panicProxyRun) Validate() error { return nil }
func (panicAdmit) Validate() error    { return nil }
func (panicValidate) Validate() error { panic("validate bug") }

// Pipe panics on a chunk that holds BOOM and passes every other on.
func (panicPipe) Pipe(_ *Stream, c Chunk, next func(Chunk) error) error {
	if bytes.Contains(c.Data, []byte("BOOM")) {
		var m map[string]int
		m["x"]++ // a nil map write: a real runtime panic
	}
	return next(c)
}

func (panicConnRun) Run(context.Context, *Stream) { panic("conn fault bug") }

func (panicProxyRun) Run(_ context.Context, p *Control) {
	_ = p.Down(true)
	p.Loading(true)
	panic("proxy fault bug")
}

func (panicAdmit) Admit(int64) []byte         { panic("admit bug") }
func (panicAdmit) AcceptDelay() time.Duration { return 0 }

// syncLog is a log destination safe to read while the proxy writes.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A panic in one connection's fault closes that connection only: the
// other connections and the proxy go on, the panic is counted and logged
// with where it happened.
func TestPanicInAConnectionClosesOnlyIt(t *testing.T) {
	registerForTest(t, "test_panic_pipe", func() Fault { return &panicPipe{} })
	var log syncLog
	_, p := startRedisProxy(t, []Option{WithLogger(slog.New(slog.NewTextHandler(&log, nil)))},
		always("bug", "test_panic_pipe", StreamUpstream, nil))
	other, victim := rawConn(t, p.Addr()), rawConn(t, p.Addr())
	r := newReplyReader(other)
	if _, err := other.Write([]byte("PING\r\n")); err != nil || r.next(t) != "+PONG\r\n" {
		t.Fatalf("other connection before: %v", err)
	}
	if _, err := victim.Write([]byte("ECHO BOOM\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = victim.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(victim); err != nil || len(b) != 0 {
		t.Fatalf("the panicking connection read %q, %v; want it closed", b, err)
	}
	if _, err := other.Write([]byte("PING\r\n")); err != nil || r.next(t) != "+PONG\r\n" {
		t.Fatalf("other connection after the panic: %v", err)
	}
	dialPing(t, p.Addr())
	eventually(t, "the panic counted", func() bool { return p.Stats().Panics == 1 })
	if s := log.String(); !strings.Contains(s, "assignment to entry in nil map") || !strings.Contains(s, "recover_test.go:") {
		t.Fatalf("log %q lacks the panic and where it happened", s)
	}
}

// A ConnFault whose run panics closes the connection it acts on; a
// ProxyFault whose run panics is undone (the proxy listens again and stops
// answering LOADING); an accept fault that panics turns that connection
// away. The proxy serves on once they are removed.
func TestPanicInAFaultRunIsUndone(t *testing.T) {
	registerForTest(t, "test_panic_conn", func() Fault { return &panicConnRun{} })
	registerForTest(t, "test_panic_proxy", func() Fault { return &panicProxyRun{} })
	registerForTest(t, "test_panic_admit", func() Fault { return &panicAdmit{} })
	_, p := startRedisProxy(t, []Option{WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})

	open := rawConn(t, p.Addr())
	if _, err := p.AddToxic(always("c", "test_panic_conn", StreamDownstream, nil)); err != nil {
		t.Fatal(err)
	}
	_ = open.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(open); err != nil {
		t.Fatalf("connection under a panicking ConnFault: %v, want closed", err)
	}
	if err := p.RemoveToxic("c"); err != nil {
		t.Fatal(err)
	}

	if _, err := p.AddToxic(always("p", "test_panic_proxy", "", nil)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the proxy fault's panic counted", func() bool { return p.Stats().Panics == 2 })
	c := client(t, p.Addr())
	eventually(t, "the proxy fault undone", func() bool { return c.Ping(ctx(t)).Err() == nil })
	if err := p.RemoveToxic("p"); err != nil {
		t.Fatal(err)
	}

	if _, err := p.AddToxic(always("a", "test_panic_admit", "", nil)); err != nil {
		t.Fatal(err)
	}
	nc := rawConn(t, p.Addr())
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, _ := io.ReadAll(nc); len(b) != 0 {
		t.Fatalf("connection turned away by a panicking accept fault read %q", b)
	}
	if err := p.RemoveToxic("a"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the proxy accepts again", func() bool { return c.Ping(ctx(t)).Err() == nil })
	if got := p.Stats().Panics; got != 3 {
		t.Fatalf("panics = %d, want 3", got)
	}
}

// A panic in an API handler answers 500 with a JSON error instead of a
// dropped connection; the API answers the next request; /metrics counts it.
func TestPanicInAnAPIHandlerIs500(t *testing.T) {
	registerForTest(t, "test_panic_validate", func() Fault { return &panicValidate{} })
	s := NewServer(WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.CreateProxy(ProxyConfig{Name: "redis", Upstream: "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	ts := startHandler(t, s.Handler())
	status, body := postJSON(t, "POST", ts+"/proxies/redis/toxics", `{"type":"test_panic_validate"}`)
	if status != http.StatusInternalServerError || !strings.Contains(body, `"status":500`) {
		t.Fatalf("panicking handler: %d %s", status, body)
	}
	if status, _ := postJSON(t, "GET", ts+"/proxies", ""); status != http.StatusOK {
		t.Fatalf("API after a panic: %d", status)
	}
	if _, metrics := postJSON(t, "GET", ts+"/metrics", ""); !strings.Contains(metrics, "rescli_chaos_api_panics_total 1") {
		t.Fatalf("metrics lack the API panic:\n%s", metrics)
	}
}

// startHandler serves h until the test ends and returns its base URL.
func startHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// Once RemoveToxic returns, a removed down or restart fault has undone
// itself: the very next dial is accepted. It once raced the fault's own
// goroutine.
func TestRemovedProxyFaultIsUndoneWhenRemoveReturns(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	for i := range 20 {
		typ := []string{"down", "restart"}[i%2]
		if _, err := p.AddToxic(always("f", typ, "", Attributes{})); err != nil {
			t.Fatal(err)
		}
		if typ == "down" {
			eventually(t, "down", func() bool { return refused(p.Addr()) })
		}
		if err := p.RemoveToxic("f"); err != nil {
			t.Fatal(err)
		}
		if err := pingWithin(p.Addr(), 2*time.Second); err != nil {
			t.Fatalf("round %d, %s removed: %v", i, typ, err)
		}
	}
}
