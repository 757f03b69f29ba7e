package chaos

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/rescli/rescli/internal/redistest"
)

func startAPI(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := NewServer(WithSeed(1))
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		_ = s.Close()
	})
	return s, ts
}

// The official Toxiproxy Go client drives rescli's API unchanged.
func TestToxiproxyClientDrivesTheAPI(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	tc := toxiproxy.NewClient(ts.URL)

	proxy, err := tc.CreateProxy("redis", "127.0.0.1:0", srv.Addr)
	if err != nil {
		t.Fatalf("CreateProxy: %v", err)
	}
	if !strings.HasPrefix(proxy.Listen, "127.0.0.1:") || proxy.Listen == "127.0.0.1:0" {
		t.Fatalf("listen = %q, want the resolved address", proxy.Listen)
	}
	dialPing(t, proxy.Listen)

	toxic, err := proxy.AddToxic("lat", "latency", "downstream", 1, toxiproxy.Attributes{"latency": 5, "jitter": 1})
	if err != nil {
		t.Fatalf("AddToxic: %v", err)
	}
	if toxic.Type != "latency" || toxic.Attributes["latency"] != float64(5) {
		t.Fatalf("toxic = %+v", toxic)
	}
	if _, err := proxy.UpdateToxic("lat", -1, toxiproxy.Attributes{"latency": 7}); err != nil {
		t.Fatalf("UpdateToxic: %v", err)
	}
	toxics, err := proxy.Toxics()
	if err != nil || len(toxics) != 1 || toxics[0].Attributes["latency"] != float64(7) || toxics[0].Attributes["jitter"] != float64(1) {
		t.Fatalf("Toxics = %+v, %v; want latency 7 jitter 1", toxics, err)
	}
	dialPing(t, proxy.Listen) // still serving through the toxic

	if err := proxy.RemoveToxic("lat"); err != nil {
		t.Fatalf("RemoveToxic: %v", err)
	}
	if _, err := proxy.AddToxic("", "error", "", 1, toxiproxy.Attributes{"error": "LOADING"}); err != nil {
		t.Fatalf("AddToxic of a rescli type: %v", err)
	}
	if err := tc.ResetState(); err != nil {
		t.Fatalf("ResetState: %v", err)
	}
	if p, _ := s.Proxy("redis"); len(p.Toxics()) != 0 {
		t.Fatalf("toxics after reset: %+v", p.Toxics())
	}
	all, err := tc.Proxies()
	if err != nil || len(all) != 1 || all["redis"].Upstream != srv.Addr || !all["redis"].Enabled {
		t.Fatalf("Proxies = %+v, %v", all, err)
	}
	if err := proxy.Disable(); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	if !refused(proxy.Listen) {
		t.Fatal("a disabled proxy still accepts")
	}
	if err := proxy.Enable(); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	dialPing(t, proxy.Listen)

	populated, err := tc.Populate([]toxiproxy.Proxy{{Name: "second", Listen: "127.0.0.1:0", Upstream: srv.Addr, Enabled: true}})
	if err != nil || len(populated) != 1 {
		t.Fatalf("Populate: %+v %v", populated, err)
	}
	if err := proxy.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := tc.Proxy("redis"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Proxy after Delete: %v, want a 404", err)
	}
}

func TestAPIErrorsAreJSONWithStatus(t *testing.T) {
	srv := redistest.Start(t)
	_, ts := startAPI(t)
	tc := toxiproxy.NewClient(ts.URL)
	proxy, err := tc.CreateProxy("redis", "127.0.0.1:0", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/proxies", `{"name":"redis","upstream":"x:1"}`, 409},
		{"POST", "/proxies", `{"name":"b"}`, 400},
		{"POST", "/proxies", `{`, 400},
		{"GET", "/proxies/nope", "", 404},
		{"POST", "/proxies/redis/toxics", `{"type":"nope"}`, 400},
		{"POST", "/proxies/redis/toxics", `{"type":"latency","attributes":{"latency":"slow"}}`, 400},
		{"POST", "/proxies/redis/toxics", `{"type":"latency","stream":"sideways"}`, 400},
		{"POST", "/proxies/redis/toxics", `{"name":"l","type":"latency"}`, 200},
		{"POST", "/proxies/redis/toxics", `{"name":"l","type":"latency"}`, 409},
		{"DELETE", "/proxies/redis/toxics/nope", "", 404},
		{"DELETE", "/proxies/redis/connections/99", "", 404},
		{"GET", "/nope", "", 404},
		{"BROWSER", "/proxies", "", 403},
	} {
		method := tc.method
		if method == "BROWSER" {
			method = "GET"
		}
		req, _ := http.NewRequest(method, ts.URL+tc.path, strings.NewReader(tc.body))
		if tc.method == "BROWSER" {
			req.Header.Set("User-Agent", "Mozilla/5.0")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, body, tc.status)
			continue
		}
		if tc.status >= 400 {
			var e APIError
			if err := json.Unmarshal(body, &e); err != nil || e.Status != tc.status || e.Message == "" {
				t.Errorf("%s %s: body %s is not a JSON error", tc.method, tc.path, body)
			}
		}
	}
	dialPing(t, proxy.Listen) // bad requests left the proxy serving
}

func TestConnectionsAndMetrics(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	p, err := s.CreateProxy(ProxyConfig{Name: "redis", Upstream: srv.Addr},
		always("full", "maxclients", "", Attributes{"limit": 1}))
	if err != nil {
		t.Fatal(err)
	}
	nc := dialPing(t, p.Addr())
	over := rawConn(t, p.Addr())
	_, _ = io.ReadAll(over)

	var conns []ConnInfo
	getJSON(t, ts.URL+"/proxies/redis/connections", &conns)
	if len(conns) != 1 || conns[0].Client != nc.LocalAddr().String() {
		t.Fatalf("connections = %+v, want the one open client", conns)
	}
	req, _ := http.NewRequest("DELETE", ts.URL+"/proxies/redis/connections/"+jsonNumber(conns[0].ID), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("kill connection: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := io.ReadAll(nc); err != nil {
		t.Logf("killed connection read: %v", err)
	}

	resp, err = http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`rescli_chaos_connections_rejected_total{proxy="redis"} 1`,
		`rescli_chaos_connections_peak{proxy="redis"} 1`,
		`rescli_chaos_injected_total{proxy="redis",toxic="full",type="maxclients"} 1`,
		`rescli_chaos_latency_late_seconds_bucket{proxy="redis",le="1e-05"} 0`,
		`rescli_chaos_latency_late_seconds_count{proxy="redis"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }
