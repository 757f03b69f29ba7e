package scenario

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The health probe reads a service's /health and compares its status.
func TestHealthProbe(t *testing.T) {
	status := "pass"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/health+json")
		if status == "fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte(`{"status":"` + status + `"}`))
	}))
	defer srv.Close()
	e := &probeEnv{}
	p := Probe{Probe: "health", Service: srv.URL + "/", Expect: "pass"}
	if ok, v := e.check(context.Background(), p); !ok || !strings.Contains(v, "/health pass") {
		t.Fatalf("passing service: %v %q", ok, v)
	}
	status = "fail"
	if ok, v := e.check(context.Background(), p); ok || !strings.Contains(v, "/health fail") {
		t.Fatalf("failing service: %v %q", ok, v)
	}
	srv.Close()
	if ok, v := e.check(context.Background(), p); ok || !strings.HasPrefix(v, "health: ") {
		t.Fatalf("dead service: %v %q", ok, v)
	}
}
