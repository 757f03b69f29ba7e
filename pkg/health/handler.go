package health

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Routes served by Handler.
const (
	PathBasic    = "/health"
	PathDetailed = "/health/detailed"
	PathRedis    = "/health/redis"
	PathServices = "/health/services"
	PathMetrics  = "/metrics"
)

// Handler serves the health endpoints, /metrics and the admin breaker
// control. GET and HEAD only, but for POST /admin/breaker; other methods
// get 405. /health/redis and /admin/breaker answer 404 without a Manager,
// /health/services without an Orchestrator.
func (c *Checker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathBasic, func(w http.ResponseWriter, _ *http.Request) {
		writeDoc(w, c.Basic())
	})
	mux.Handle("GET "+PathDetailed, c.admin(c.Detailed))
	if c.opts.Manager != nil {
		mux.Handle("GET "+PathRedis, c.admin(c.Redis))
		mux.Handle("POST "+PathBreaker, c.BreakerHandler())
	}
	if c.opts.Orchestrator != nil {
		mux.Handle("GET "+PathServices, c.admin(c.Services))
	}
	mux.Handle("GET "+PathMetrics, c.MetricsHandler())
	return mux
}

// writeDoc writes d as application/health+json with the status's code.
func writeDoc(w http.ResponseWriter, d Document) {
	body, err := json.Marshal(d)
	if err != nil {
		http.Error(w, "encode health document", http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", MediaType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(d.Status.HTTPCode())
	_, _ = w.Write(body)
}

// writePlain answers an error in one line of text, never cached.
func writePlain(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}
