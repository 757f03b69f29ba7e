package health

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// ServiceReport is one service's fetched documents and its verdict.
type ServiceReport struct {
	URL string `json:"url"` // as given, redacted
	// Status is the service's own verdict: its first document's status
	// (/health, /health/detailed, or the URL given). Empty when that
	// document could not be fetched.
	Status    Status   `json:"status,omitempty"`
	Error     string   `json:"error,omitempty"`
	Documents []Result `json:"documents"`
	// Unavailable are the (redacted) URLs of admin documents the service
	// answered 404 for: it has no admin token configured, or nothing for
	// that document to report (no Redis manager, no orchestrator). A
	// service without them lacks detail; it is not failing.
	Unavailable []string `json:"unavailable,omitempty"`
	// Err is the first fetch error, if any.
	Err error `json:"-"`
}

// Endpoint is one URL to fetch and whether it is an admin endpoint.
type Endpoint struct {
	URL   string
	Admin bool
}

// Endpoints expands a service URL. A base URL (http://host:port, or one
// ending in /health) is a rescli-style service: /health; with an admin
// token also /health/redis and /health/services; with detailed only
// /health/detailed, which holds everything. A URL with another path is
// fetched as it is.
func Endpoints(raw string, token, detailed bool) []Endpoint {
	base := strings.TrimSuffix(strings.TrimRight(raw, "/"), PathBasic)
	if hasPath(base) {
		return []Endpoint{{URL: raw}}
	}
	switch {
	case detailed && token:
		return []Endpoint{{base + PathDetailed, true}}
	case token:
		return []Endpoint{{base + PathBasic, false}, {base + PathRedis, true}, {base + PathServices, true}}
	}
	return []Endpoint{{URL: base + PathBasic}}
}

// hasPath reports whether raw names a path beyond "/".
func hasPath(raw string) bool {
	rest := raw
	if _, after, ok := strings.Cut(raw, "://"); ok {
		rest = after
	}
	_, path, ok := strings.Cut(rest, "/")
	return ok && path != ""
}

// FetchService fetches a service's Endpoints in parallel, each within the
// client's timeout. An admin document answered with 404 is listed in
// Unavailable, not reported as an error; when that document is
// /health/detailed, the service is judged by /health instead.
func (c *Client) FetchService(ctx context.Context, raw string, detailed bool) ServiceReport {
	eps := Endpoints(raw, c.Token != "", detailed)
	results := make([]Result, len(eps))
	errs := make([]error, len(eps))
	var wg sync.WaitGroup
	for i, e := range eps {
		wg.Go(func() { results[i], errs[i] = c.Fetch(ctx, e.URL, e.Admin) })
	}
	wg.Wait()
	r := ServiceReport{URL: safeURL(raw), Documents: []Result{}}
	if eps[0].Admin && errors.Is(errs[0], ErrNotFound) { // no /health/detailed
		r.Unavailable = append(r.Unavailable, results[0].URL)
		basic := strings.TrimSuffix(eps[0].URL, PathDetailed) + PathBasic
		results[0], errs[0] = c.Fetch(ctx, basic, false)
	}
	for i, e := range eps {
		switch {
		case errs[i] == nil:
			r.Documents = append(r.Documents, results[i])
		case i > 0 && e.Admin && errors.Is(errs[i], ErrNotFound):
			r.Unavailable = append(r.Unavailable, results[i].URL)
		case r.Err == nil:
			r.Err, r.Error = errs[i], errs[i].Error()
		}
	}
	if errs[0] == nil {
		r.Status = results[0].Doc.Status
	}
	return r
}
