package chaos

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Version is what GET /version reports.
const Version = "rescli-chaos/2.12.0-compatible"

// Handler serves the control API. Its routes and JSON shapes follow
// Toxiproxy 2.x, so Toxiproxy's clients and toxiproxy-cli drive it
// unchanged; rescli adds fault types, per-proxy stats, connections and
// /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", s.version)
	mux.HandleFunc("POST /reset", s.reset)
	mux.HandleFunc("POST /populate", s.populate)
	mux.HandleFunc("GET /proxies", s.listProxies)
	mux.HandleFunc("POST /proxies", s.createProxy)
	mux.HandleFunc("GET /proxies/{proxy}", s.withProxy(s.showProxy))
	mux.HandleFunc("POST /proxies/{proxy}", s.withProxy(s.updateProxy))
	mux.HandleFunc("PATCH /proxies/{proxy}", s.withProxy(s.updateProxy))
	mux.HandleFunc("DELETE /proxies/{proxy}", s.deleteProxy)
	mux.HandleFunc("GET /proxies/{proxy}/toxics", s.withProxy(s.listToxics))
	mux.HandleFunc("POST /proxies/{proxy}/toxics", s.withProxy(s.createToxic))
	mux.HandleFunc("GET /proxies/{proxy}/toxics/{toxic}", s.withProxy(s.showToxic))
	mux.HandleFunc("POST /proxies/{proxy}/toxics/{toxic}", s.withProxy(s.updateToxic))
	mux.HandleFunc("PATCH /proxies/{proxy}/toxics/{toxic}", s.withProxy(s.updateToxic))
	mux.HandleFunc("DELETE /proxies/{proxy}/toxics/{toxic}", s.withProxy(s.deleteToxic))
	mux.HandleFunc("GET /proxies/{proxy}/connections", s.withProxy(s.listConnections))
	mux.HandleFunc("DELETE /proxies/{proxy}/connections/{id}", s.withProxy(s.killConnection))
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, fmt.Errorf("%w: no such route", errNotFound))
	})
	return refuseBrowsers(s.recoverAPI(mux))
}

// refuseBrowsers answers 403 to web browsers, as Toxiproxy does: a page
// could otherwise post faults to an API on localhost.
func refuseBrowsers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.UserAgent(), "Mozilla/") || r.Header.Get("Origin") != "" {
			writeJSON(w, http.StatusForbidden, APIError{Message: "browsers may not use the chaos API", Status: http.StatusForbidden})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ProxyJSON is a proxy as the API shows it.
type ProxyJSON struct {
	Name     string  `json:"name"`
	Listen   string  `json:"listen"`
	Upstream string  `json:"upstream"`
	Enabled  bool    `json:"enabled"`
	Toxics   []Toxic `json:"toxics"`
	Stats    Stats   `json:"stats"`
}

func proxyJSON(p *Proxy) ProxyJSON {
	return ProxyJSON{Name: p.Name(), Listen: p.Addr(), Upstream: p.Upstream(),
		Enabled: p.Enabled(), Toxics: p.Toxics(), Stats: p.Stats()}
}

func (s *Server) withProxy(h func(http.ResponseWriter, *http.Request, *Proxy)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Proxy(r.PathValue("proxy"))
		if err != nil {
			writeError(w, err)
			return
		}
		h(w, r, p)
	}
}

func (s *Server) version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": Version})
}

func (s *Server) reset(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reset(); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// proxyBody is the body of POST /proxies and of each /populate entry:
// ProxyConfig, and the read-only fields of a proxy's own JSON, which
// Toxiproxy's client sends back. The schema is closed: any other field is
// an error.
type proxyBody struct {
	ProxyConfig
	Toxics []json.RawMessage `json:"toxics"`
	Stats  json.RawMessage   `json:"stats"`
}

// config refuses toxics in a new proxy's body: Toxiproxy ignores them
// silently; here they are added with POST /proxies/{proxy}/toxics.
func (b proxyBody) config() (ProxyConfig, error) {
	if len(b.Toxics) > 0 {
		return ProxyConfig{}, fmt.Errorf("%w: proxy %q: toxics cannot be set with the proxy; add them with POST /proxies/%s/toxics",
			errBadRequest, b.Name, b.Name)
	}
	return b.ProxyConfig, nil
}

func (s *Server) populate(w http.ResponseWriter, r *http.Request) {
	var bodies []proxyBody
	if !decode(w, r, &bodies) {
		return
	}
	cfgs := make([]ProxyConfig, 0, len(bodies))
	for _, b := range bodies {
		cfg, err := b.config()
		if err != nil {
			writeError(w, err)
			return
		}
		cfgs = append(cfgs, cfg)
	}
	proxies, err := s.Populate(cfgs)
	if err != nil {
		writeError(w, err)
		return
	}
	out := struct {
		Proxies []ProxyJSON `json:"proxies"`
	}{Proxies: []ProxyJSON{}}
	for _, p := range proxies {
		out.Proxies = append(out.Proxies, proxyJSON(p))
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) listProxies(w http.ResponseWriter, _ *http.Request) {
	out := map[string]ProxyJSON{}
	for _, p := range s.Proxies() {
		out[p.Name()] = proxyJSON(p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createProxy(w http.ResponseWriter, r *http.Request) {
	var b proxyBody
	if !decode(w, r, &b) {
		return
	}
	cfg, err := b.config()
	if err != nil {
		writeError(w, err)
		return
	}
	p, err := s.CreateProxy(cfg)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, proxyJSON(p))
}

func (s *Server) showProxy(w http.ResponseWriter, _ *http.Request, p *Proxy) {
	writeJSON(w, http.StatusOK, proxyJSON(p))
}

func (s *Server) updateProxy(w http.ResponseWriter, r *http.Request, p *Proxy) {
	var in struct {
		Name     string          `json:"name"`
		Listen   string          `json:"listen"`
		Upstream string          `json:"upstream"`
		Enabled  *bool           `json:"enabled"`
		Toxics   json.RawMessage `json:"toxics"` // read-only: Toxiproxy's client sends them back
		Stats    json.RawMessage `json:"stats"`  // read-only
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Name != "" && in.Name != p.Name() {
		writeError(w, fmt.Errorf("update proxy %q: %w: name cannot change; delete and create it", p.Name(), errBadRequest))
		return
	}
	if in.Listen != "" && in.Listen != p.Addr() {
		writeError(w, fmt.Errorf("update proxy %q: %w: listen cannot change; delete and create it", p.Name(), errBadRequest))
		return
	}
	if in.Upstream != "" {
		if err := checkName("upstream address", in.Upstream, maxAddr); err != nil {
			writeError(w, fmt.Errorf("update proxy %q: %w", p.Name(), err))
			return
		}
		p.SetUpstream(in.Upstream)
	}
	if in.Enabled != nil {
		if err := p.SetEnabled(*in.Enabled); err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, proxyJSON(p))
}

func (s *Server) deleteProxy(w http.ResponseWriter, r *http.Request) {
	if err := s.RemoveProxy(r.PathValue("proxy")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listToxics(w http.ResponseWriter, _ *http.Request, p *Proxy) {
	writeJSON(w, http.StatusOK, p.Toxics())
}

// toxicBody is the body of POST /proxies/{proxy}/toxics: a Toxic without
// its custom UnmarshalJSON, so that unknown fields are refused.
type toxicBody struct {
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	Stream     string     `json:"stream"`
	Toxicity   *float32   `json:"toxicity"` // nil: 1, as in Toxiproxy
	Attributes Attributes `json:"attributes"`
	Injected   *int64     `json:"injected"` // read-only
}

func (s *Server) createToxic(w http.ResponseWriter, r *http.Request, p *Proxy) {
	var b toxicBody
	if !decode(w, r, &b) {
		return
	}
	t := Toxic{Name: b.Name, Type: b.Type, Stream: b.Stream, Toxicity: 1, Attributes: b.Attributes}
	if b.Toxicity != nil {
		t.Toxicity = *b.Toxicity
	}
	out, err := p.AddToxic(t)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) showToxic(w http.ResponseWriter, r *http.Request, p *Proxy) {
	t, err := p.Toxic(r.PathValue("toxic"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) updateToxic(w http.ResponseWriter, r *http.Request, p *Proxy) {
	var in struct {
		Toxicity   *float32   `json:"toxicity"`
		Attributes Attributes `json:"attributes"`
	}
	if !decode(w, r, &in) {
		return
	}
	t, err := p.UpdateToxic(r.PathValue("toxic"), in.Toxicity, in.Attributes)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) deleteToxic(w http.ResponseWriter, r *http.Request, p *Proxy) {
	if err := p.RemoveToxic(r.PathValue("toxic")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listConnections(w http.ResponseWriter, _ *http.Request, p *Proxy) {
	writeJSON(w, http.StatusOK, p.Connections())
}

func (s *Server) killConnection(w http.ResponseWriter, r *http.Request, p *Proxy) {
	id, err := strconv.ParseUint(strings.TrimSpace(r.PathValue("id")), 10, 64)
	if err != nil {
		writeError(w, fmt.Errorf("%w: connection id %q", errBadRequest, r.PathValue("id")))
		return
	}
	if err := p.KillConnection(id); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
