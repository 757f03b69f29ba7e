package chaos

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// FuzzToxicAPI sets faults with random attributes through the control API
// (create, then update) on a proxy in front of a real redis-server, sends
// traffic through them, removes them, and holds the proxy to answering
// PING: no attribute value the API accepts may crash the data path, and
// the API answers every body with a JSON status below 500.
//
// The traffic is a SET and a GET of the fuzzed bytes as a value, not the
// bytes as commands: fuzzed commands could reconfigure or stop the server.
func FuzzToxicAPI(f *testing.F) {
	srv := redistest.Start(f)
	s := NewServer(WithSeed(1), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	f.Cleanup(func() { _ = s.Close() })
	p, err := s.CreateProxy(ProxyConfig{Name: "redis", Upstream: srv.Addr})
	if err != nil {
		f.Fatal(err)
	}
	api := s.Handler()
	types := Types()
	typeIndex := func(name string) uint8 {
		for i, t := range types {
			if t == name {
				return uint8(i)
			}
		}
		f.Fatalf("no fault type %q", name)
		return 0
	}
	for _, seed := range []struct{ typ, attrs, update string }{
		{"bandwidth", `{"rate":18014398509481984}`, `{"rate":1}`},
		{"latency", `{"latency":1,"jitter":4600000000000}`, `{"jitter":3}`},
		{"latency", `{"latency":10000000000000}`, `{"latency":2}`},
		{"slicer", `{"average_size":4611686018427387906,"size_variation":4611686018427387905}`, `{"average_size":3,"size_variation":2}`},
		{"timeout", `{"timeout":10000000000000}`, `{"timeout":1}`},
		{"delay", `{"delay":10000000000000,"command":"get"}`, `{"delay":1}`},
		{"error", `{"error":"MOVED","address":"h:1\r\n+OK"}`, `{"message":"ERR x"}`},
		{"limit_data", `{"bytes":3}`, `{"bytes":9223372036854775807}`},
		{"maxclients", `{"limit":0}`, `{"limit":-1}`},
		{"restart", `{"refuse":0,"loading":5}`, `{"loading":86400000}`},
		{"error", `{"message":"ERR m","key":"[^a-\u00ff]*"}`, `{"key":"\\"}`},
	} {
		f.Add(typeIndex(seed.typ), seed.attrs, seed.update, []byte("value"))
	}
	f.Fuzz(func(t *testing.T, typ uint8, attrs, update string, value []byte) {
		name := types[int(typ)%len(types)]
		body := fmt.Sprintf(`{"name":"f","type":%q,"stream":"both","attributes":%s}`, name, attrs)
		created := callAPI(t, api, "POST", "/proxies/redis/toxics", body) == http.StatusOK
		callAPI(t, api, "PATCH", "/proxies/redis/toxics/f", `{"attributes":`+update+`}`)
		if created {
			sendThrough(p.Addr(), value)
		}
		callAPI(t, api, "POST", "/reset", "")
		if err := pingWithin(p.Addr(), 5*time.Second); err != nil {
			t.Fatalf("%s %s then %s: the proxy no longer answers PING: %v", name, attrs, update, err)
		}
		if n := p.Stats().Panics; n != 0 {
			t.Fatalf("%s %s then %s: %d panics", name, attrs, update, n)
		}
	})
}

// callAPI serves one request and checks the answer is JSON with a status
// below 500 (or 204 with no body).
func callAPI(t *testing.T, api http.Handler, method, path, body string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
	}
	if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s %q: %d answered with no JSON: %q", method, path, body, rec.Code, rec.Body)
	}
	return rec.Code
}

// sendThrough sets and gets value through the proxy, reading whatever comes
// back for a moment: faults may hold, cut or change it.
func sendThrough(addr string, value []byte) {
	nc, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Millisecond))
	_, _ = fmt.Fprintf(nc, "*3\r\n$3\r\nSET\r\n$4\r\nfuzz\r\n$%d\r\n%s\r\n*2\r\n$3\r\nGET\r\n$4\r\nfuzz\r\nPING\r\n", len(value), value)
	_, _ = io.Copy(io.Discard, nc)
}

// pingWithin sends PING on a new connection and wants +PONG.
func pingWithin(addr string, d time.Duration) error {
	nc, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		return err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(d))
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("answered %q", line)
	}
	return nil
}
