package chaos

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
)

// A body is exactly one JSON document of the route's shape: trailing data,
// a key given twice (encoding/json would keep the last silently) and
// unknown fields are 400; a body over 1 MiB is 413. Nothing is changed by a
// refused request.
func TestAPIBodiesAreStrict(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	p, err := s.CreateProxy(ProxyConfig{Name: "redis", Upstream: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddToxic(always("lat", "latency", "downstream", Attributes{"latency": 1})); err != nil {
		t.Fatal(err)
	}
	big := `{"name":"x","type":"latency","attributes":{"latency":1},"stream":"` + strings.Repeat(" ", 1<<20) + `"}`
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/proxies/redis/toxics", `{"type":"latency"} {"type":"timeout"}`, 400, "data after"},
		{"POST", "/proxies/redis/toxics", `{"type":"latency"}x`, 400, ""},
		{"POST", "/proxies/redis/toxics", `{"type":"latency","type":"timeout"}`, 400, "appears twice"},
		{"POST", "/proxies/redis/toxics", `{"type":"latency","attributes":{"latency":1,"latency":2}}`, 400, "twice"},
		{"POST", "/proxies/redis/toxics", `{"type":"latency","colour":"red"}`, 400, "unknown field"},
		{"POST", "/proxies/redis/toxics", ``, 400, "empty body"},
		{"POST", "/proxies/redis/toxics", big, 413, "too large"},
		{"PATCH", "/proxies/redis/toxics/lat", `{"attributes":{"latency":5}}{}`, 400, "data after"},
		{"PATCH", "/proxies/redis/toxics/lat", `{"attributes":{"latency":5},"name":"other"}`, 400, "unknown field"},
		{"POST", "/proxies", `{"name":"b","upstream":"127.0.0.1:1","name":"c"}`, 400, "twice"},
		{"POST", "/proxies", `{"name":"b","upstream":"127.0.0.1:1","colour":1}`, 400, "unknown field"},
		{"POST", "/proxies", `{"name":"b","upstream":"127.0.0.1:1","toxics":[{"type":"latency"}]}`, 400, "toxics cannot be set"},
		{"POST", "/proxies/redis", `{"name":"renamed"}`, 400, "name cannot change"},
		{"POST", "/populate", `[{"name":"b","upstream":"127.0.0.1:1"}] []`, 400, "data after"},
		{"POST", "/proxies", `{"name":"b\u001b[2J","upstream":"127.0.0.1:1"}`, 400, "control byte"},
		{"POST", "/proxies", `{"name":"` + strings.Repeat("n", 257) + `","upstream":"127.0.0.1:1"}`, 400, "at most 256"},
		{"POST", "/proxies/redis", `{"upstream":"127.0.0.1:1\r\n"}`, 400, "control byte"},
		{"POST", "/proxies/redis/toxics", `{"name":"x\ny","type":"latency"}`, 400, "control byte"},
	} {
		status, body := postJSON(t, tc.method, ts.URL+tc.path, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %.60q: %d %s, want %d naming %q", tc.method, tc.path, tc.body, status, body, tc.status, tc.want)
		}
	}
	if toxics := p.Toxics(); len(toxics) != 1 || toxics[0].Attributes["latency"] != float64(1) {
		t.Errorf("toxics after refused requests: %+v", toxics)
	}
	if len(s.Proxies()) != 1 {
		t.Errorf("proxies after refused requests: %d", len(s.Proxies()))
	}
	// The read-only fields of the API's own JSON may come back, as
	// Toxiproxy's client sends them.
	status, body := postJSON(t, "POST", ts.URL+"/proxies/redis",
		`{"name":"redis","upstream":"`+srv.Addr+`","enabled":true,"toxics":[],"stats":{}}`)
	if status != http.StatusOK {
		t.Errorf("update with read-only fields: %d %s", status, body)
	}
}
