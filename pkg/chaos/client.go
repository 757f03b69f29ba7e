package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to a running control API (rescli's or Toxiproxy's own).
type Client struct {
	base  string
	http  *http.Client
	token string
}

// NewClient returns a client for the API at addr ("127.0.0.1:8474" or a
// URL). hc may be nil.
func NewClient(addr string, hc *http.Client) *Client {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(addr, "/"), http: hc}
}

// WithToken makes c send token as "Authorization: Bearer <token>" (see
// RequireToken); "" sends none. It returns c.
func (c *Client) WithToken(token string) *Client {
	c.token = token
	return c
}

// Proxies lists the proxies, sorted by name.
func (c *Client) Proxies(ctx context.Context) ([]ProxyJSON, error) {
	var byName map[string]ProxyJSON
	if err := c.do(ctx, http.MethodGet, "/proxies", nil, &byName); err != nil {
		return nil, fmt.Errorf("list proxies: %w", err)
	}
	out := make([]ProxyJSON, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sortProxies(out)
	return out, nil
}

// CreateProxy creates a proxy listening on cfg.Listen in front of
// cfg.Upstream.
func (c *Client) CreateProxy(ctx context.Context, cfg ProxyConfig) (ProxyJSON, error) {
	var out ProxyJSON
	if err := c.do(ctx, http.MethodPost, "/proxies", cfg, &out); err != nil {
		return ProxyJSON{}, fmt.Errorf("create proxy %s: %w", cfg.Name, err)
	}
	return out, nil
}

// DeleteProxy removes a proxy and closes its connections.
func (c *Client) DeleteProxy(ctx context.Context, name string) error {
	if err := c.do(ctx, http.MethodDelete, "/proxies/"+url.PathEscape(name), nil, nil); err != nil {
		return fmt.Errorf("delete proxy %s: %w", name, err)
	}
	return nil
}

// SetEnabled enables or disables a proxy (a disabled proxy refuses
// connections and drops the open ones, as Toxiproxy's does).
func (c *Client) SetEnabled(ctx context.Context, name string, enabled bool) (ProxyJSON, error) {
	var out ProxyJSON
	if err := c.do(ctx, http.MethodPost, "/proxies/"+url.PathEscape(name), map[string]bool{"enabled": enabled}, &out); err != nil {
		return ProxyJSON{}, fmt.Errorf("%s proxy %s: %w", map[bool]string{true: "enable", false: "disable"}[enabled], name, err)
	}
	return out, nil
}

// Reset enables every proxy and removes every fault.
func (c *Client) Reset(ctx context.Context) error {
	if err := c.do(ctx, http.MethodPost, "/reset", nil, nil); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

// Addr is the API's base URL.
func (c *Client) Addr() string { return c.base }

// AddToxic sets a fault on a proxy.
func (c *Client) AddToxic(ctx context.Context, proxy string, t Toxic) (Toxic, error) {
	var out Toxic
	if err := c.do(ctx, http.MethodPost, "/proxies/"+url.PathEscape(proxy)+"/toxics", t, &out); err != nil {
		return Toxic{}, fmt.Errorf("add toxic to %s: %w", proxy, err)
	}
	return out, nil
}

// UpdateToxic changes a fault's toxicity (nil: keep) and attributes.
func (c *Client) UpdateToxic(ctx context.Context, proxy, name string, toxicity *float32, attrs Attributes) (Toxic, error) {
	body := map[string]any{"attributes": attrs}
	if toxicity != nil {
		body["toxicity"] = *toxicity
	}
	var out Toxic
	if err := c.do(ctx, http.MethodPatch, toxicPath(proxy, name), body, &out); err != nil {
		return Toxic{}, fmt.Errorf("update toxic %s on %s: %w", name, proxy, err)
	}
	return out, nil
}

// RemoveToxic removes a fault from a proxy.
func (c *Client) RemoveToxic(ctx context.Context, proxy, name string) error {
	if err := c.do(ctx, http.MethodDelete, toxicPath(proxy, name), nil, nil); err != nil {
		return fmt.Errorf("remove toxic %s from %s: %w", name, proxy, err)
	}
	return nil
}

func toxicPath(proxy, name string) string {
	return "/proxies/" + url.PathEscape(proxy) + "/toxics/" + url.PathEscape(name)
}

// do sends one request; an error status comes back as *APIError.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the method and URL are said once, below
		}
		return fmt.Errorf("%w at %s: %w", ErrAPIUnreachable, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		apiErr := &APIError{Status: resp.StatusCode}
		if json.NewDecoder(resp.Body).Decode(apiErr) != nil || apiErr.Message == "" {
			apiErr.Message = http.StatusText(resp.StatusCode)
		}
		return apiErr
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}
