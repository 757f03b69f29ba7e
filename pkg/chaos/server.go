package chaos

import (
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"sync"
	"sync/atomic"
)

// Server holds several named proxies, as one Toxiproxy process does, and
// serves the control API over them (Handler).
type Server struct {
	opts options

	mu      sync.Mutex
	proxies map[string]*Proxy
	closed  bool

	apiPanics atomic.Int64 // API requests whose handler panicked
}

// NewServer returns an empty server. Its options (seed, clock) apply to
// every proxy it creates; each proxy's seed also mixes in its name.
func NewServer(opts ...Option) *Server {
	return &Server{opts: buildOptions(opts), proxies: map[string]*Proxy{}}
}

// maxProxies caps the proxies of one server: each holds a listener.
const maxProxies = 1000

// ProxyConfig is how a proxy is asked for (POST /proxies, /populate).
type ProxyConfig struct {
	Name     string `json:"name"`
	Listen   string `json:"listen"`
	Upstream string `json:"upstream"`
	Enabled  *bool  `json:"enabled,omitempty"` // nil: true
}

// CreateProxy creates and, if enabled, starts a proxy. Toxics may be given
// so that they are set before its first connection.
func (s *Server) CreateProxy(cfg ProxyConfig, toxics ...Toxic) (*Proxy, error) {
	switch {
	case cfg.Name == "":
		return nil, fmt.Errorf("create proxy: %w: name", ErrMissingField)
	case cfg.Upstream == "":
		return nil, fmt.Errorf("create proxy %q: %w: upstream", cfg.Name, ErrMissingField)
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	for _, err := range []error{checkName("proxy name", cfg.Name, maxName),
		checkName("listen address", cfg.Listen, maxAddr), checkName("upstream address", cfg.Upstream, maxAddr)} {
		if err != nil {
			return nil, fmt.Errorf("create proxy: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if _, dup := s.proxies[cfg.Name]; dup {
		return nil, fmt.Errorf("create proxy %q: %w", cfg.Name, ErrProxyExists)
	}
	if len(s.proxies) >= maxProxies {
		return nil, fmt.Errorf("create proxy %q: %w proxies (at most %d)", cfg.Name, ErrTooMany, maxProxies)
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(cfg.Name))
	p := NewProxy(cfg.Name, cfg.Listen, cfg.Upstream, WithSeed(s.opts.seed^h.Sum64()), WithClock(s.opts.clock),
		WithLogger(s.opts.log))
	for _, t := range toxics {
		if _, err := p.AddToxic(t); err != nil {
			_ = p.Close()
			return nil, fmt.Errorf("create proxy %q: %w", cfg.Name, err)
		}
	}
	p.enabled = cfg.Enabled == nil || *cfg.Enabled
	if err := p.Start(); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("create proxy %q: %w", cfg.Name, err)
	}
	s.proxies[cfg.Name] = p
	return p, nil
}

// Proxy returns a proxy by name.
func (s *Server) Proxy(name string) (*Proxy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.proxies[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("get proxy %q: %w", name, ErrProxyNotFound)
}

// Proxies returns every proxy, sorted by name.
func (s *Server) Proxies() []*Proxy {
	s.mu.Lock()
	out := make([]*Proxy, 0, len(s.proxies))
	for _, p := range s.proxies {
		out = append(out, p)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// RemoveProxy closes a proxy and forgets it.
func (s *Server) RemoveProxy(name string) error {
	s.mu.Lock()
	p, ok := s.proxies[name]
	delete(s.proxies, name)
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("remove proxy %q: %w", name, ErrProxyNotFound)
	}
	return p.Close()
}

// Reset enables every proxy and removes every fault (POST /reset).
func (s *Server) Reset() error {
	var errs []error
	for _, p := range s.Proxies() {
		p.ResetToxics()
		if err := p.SetEnabled(true); err != nil {
			errs = append(errs, fmt.Errorf("reset proxy %q: %w", p.name, err))
		}
	}
	return errors.Join(errs...)
}

// Populate creates the proxies in cfgs, replacing any of the same name
// whose addresses differ, and returns them in order (POST /populate).
func (s *Server) Populate(cfgs []ProxyConfig) ([]*Proxy, error) {
	for i, cfg := range cfgs {
		if cfg.Name == "" || cfg.Upstream == "" {
			return nil, fmt.Errorf("populate proxy %d: %w: name and upstream", i+1, ErrMissingField)
		}
	}
	out := make([]*Proxy, 0, len(cfgs))
	for _, cfg := range cfgs {
		if old, err := s.Proxy(cfg.Name); err == nil {
			if old.Upstream() == cfg.Upstream && (cfg.Listen == "" || cfg.Listen == old.Addr()) {
				if err := old.SetEnabled(cfg.Enabled == nil || *cfg.Enabled); err != nil {
					return out, err
				}
				out = append(out, old)
				continue
			}
			_ = s.RemoveProxy(cfg.Name)
		}
		p, err := s.CreateProxy(cfg)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Close closes every proxy; nothing is left running.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	proxies := s.proxies
	s.proxies = map[string]*Proxy{}
	s.mu.Unlock()
	for _, p := range proxies {
		_ = p.Close()
	}
	return nil
}

func sortProxies(ps []ProxyJSON) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
}
