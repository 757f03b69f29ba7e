package chaos

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/rescli/rescli/internal/redistest"
)

const testToken = "tok-api-8Hs2"

// startTokenAPI serves the API behind RequireToken(testToken).
func startTokenAPI(t *testing.T) (*Server, string) {
	t.Helper()
	s := NewServer(WithSeed(1))
	ts := httptest.NewServer(RequireToken(testToken, s.Handler()))
	t.Cleanup(func() {
		ts.Close()
		_ = s.Close()
	})
	return s, ts.URL
}

// With a token every route needs it: none is 401, a wrong one 403, and
// neither answer echoes it. Bearer works, and so does Basic with the token
// as password, which is what Toxiproxy's client sends for a URL with
// userinfo.
func TestTokenGuardsEveryRoute(t *testing.T) {
	_, base := startTokenAPI(t)
	for _, path := range []string{"/version", "/proxies", "/metrics", "/nope"} {
		for _, tc := range []struct {
			auth   string
			status int
		}{
			{"", http.StatusUnauthorized},
			{"Bearer wrong", http.StatusForbidden},
			{"Basic " + "Ondyb25n", http.StatusForbidden}, // ":wrong"
			{"Bearer " + testToken, 0},
		} {
			req, _ := http.NewRequest("GET", base+path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			switch {
			case tc.status == 0 && (resp.StatusCode == 401 || resp.StatusCode == 403):
				t.Errorf("GET %s with the token: %d", path, resp.StatusCode)
			case tc.status != 0 && resp.StatusCode != tc.status:
				t.Errorf("GET %s with %q: %d, want %d", path, tc.auth, resp.StatusCode, tc.status)
			}
			if tc.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		}
	}
	status, body := postJSON(t, "GET", base+"/proxies", "")
	if status != http.StatusUnauthorized || strings.Contains(body, testToken) || !strings.Contains(body, "RESCLI_CHAOS_API_TOKEN") {
		t.Fatalf("401 body %q", body)
	}
}

// rescli's client sends the token as Bearer; Toxiproxy's own Go client and
// toxiproxy-cli reach a guarded API with the token in the URL, and without
// it get the refusal as an error.
func TestClientsReachATokenGuardedAPI(t *testing.T) {
	srv := redistest.Start(t)
	_, base := startTokenAPI(t)
	hostPort := strings.TrimPrefix(base, "http://")

	if _, err := NewClient(hostPort, nil).Proxies(ctx(t)); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("rescli client without the token: %v, want a 401", err)
	}
	if _, err := NewClient(hostPort, nil).WithToken(testToken).Proxies(ctx(t)); err != nil {
		t.Fatalf("rescli client with the token: %v", err)
	}

	if _, err := toxiproxy.NewClient(base).Proxies(); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Toxiproxy client without the token: %v, want a 401", err)
	}
	tc := toxiproxy.NewClient("http://:" + testToken + "@" + hostPort)
	proxy, err := tc.CreateProxy("redis", "127.0.0.1:0", srv.Addr)
	if err != nil {
		t.Fatalf("Toxiproxy client with the token in the URL: %v", err)
	}
	if _, err := proxy.AddToxic("lat", "latency", "downstream", 1, toxiproxy.Attributes{"latency": 1}); err != nil {
		t.Fatalf("AddToxic: %v", err)
	}
	dialPing(t, proxy.Listen)

	cli := newToxiproxyCLI(t, "http://:"+testToken+"@"+hostPort)
	if r := cli.run("list"); r.code != 0 || !strings.Contains(r.stdout, "redis") {
		t.Fatalf("toxiproxy-cli with the token in the URL: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	newToxiproxyCLI(t, base).fails([]string{"list"}, "401")
}

// Without a token the API stays open, as Toxiproxy's is.
func TestNoTokenLeavesTheAPIOpen(t *testing.T) {
	s := NewServer()
	t.Cleanup(func() { _ = s.Close() })
	ts := httptest.NewServer(RequireToken("", s.Handler()))
	t.Cleanup(ts.Close)
	if status, _ := postJSON(t, "GET", ts.URL+"/proxies", ""); status != http.StatusOK {
		t.Fatalf("no token: %d", status)
	}
}
