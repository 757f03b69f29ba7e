package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/redact"
)

// Errors of Fetch. Each is wrapped with the (redacted) URL.
var (
	// ErrUnreachable is returned when the service could not be reached or
	// did not answer within the timeout.
	ErrUnreachable = errors.New("service unreachable")
	// ErrUnauthorized is returned on 401: an admin endpoint needs a token.
	ErrUnauthorized = errors.New("admin token required (401)")
	// ErrForbidden is returned on 403: the admin token was rejected.
	ErrForbidden = errors.New("admin token rejected (403)")
	// ErrNotFound is returned on 404: no such endpoint, or admin endpoints
	// disabled because the service has no admin token configured.
	ErrNotFound = errors.New("endpoint not found or disabled (404)")
	// ErrBadResponse is returned when the answer is not a health document
	// that any known format reads.
	ErrBadResponse = errors.New("unreadable health response")
	// ErrBadURL is returned for a URL that is not absolute http or https.
	ErrBadURL = errors.New("invalid service URL")
)

// maxBody bounds how much of a response is read.
const maxBody = 1 << 20

// Client fetches health documents. The zero value is usable.
type Client struct {
	// HTTP sends the requests; nil means a client with no global timeout
	// (Timeout bounds each request).
	HTTP *http.Client
	// Token is sent as "Authorization: Bearer" to admin endpoints only.
	Token string
	// Timeout bounds each request, body included (default 5s).
	Timeout time.Duration
}

// Result is one fetched and normalised document.
type Result struct {
	URL    string        `json:"url"` // redacted
	Code   int           `json:"code"`
	Format Format        `json:"format"`
	Doc    Document      `json:"document"`
	Took   time.Duration `json:"-"`
}

// Fetch GETs rawURL and normalises the answer. admin says whether to send
// the token. A 503 with a readable document is a result, not an error.
func (c *Client) Fetch(ctx context.Context, rawURL string, admin bool) (Result, error) {
	safe := safeURL(rawURL)
	res := Result{URL: safe}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return res, fmt.Errorf("%w %s: want http://host:port[/path]", ErrBadURL, safe)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return res, fmt.Errorf("%w %s", ErrBadURL, safe)
	}
	req.Header.Set("Accept", MediaType+", application/json;q=0.9, */*;q=0.5")
	if admin && c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w: %s", safe, ErrUnreachable, cause(err, timeout))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	res.Took, res.Code = time.Since(start), resp.StatusCode
	if err != nil {
		return res, fmt.Errorf("read %s: %w: %s", safe, ErrUnreachable, cause(err, timeout))
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return res, fmt.Errorf("fetch %s: %w", safe, ErrUnauthorized)
	case http.StatusForbidden:
		return res, fmt.Errorf("fetch %s: %w", safe, ErrForbidden)
	case http.StatusNotFound:
		return res, fmt.Errorf("fetch %s: %w", safe, ErrNotFound)
	}
	res.Format, res.Doc, err = Decode(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if err != nil {
		return res, fmt.Errorf("decode %s: %w", safe, err)
	}
	return res, nil
}

// safeURL is rawURL with credentials masked, and otherwise as it was
// given (redact.URL re-encodes a query, turning "?verbose" into
// "?verbose=").
func safeURL(rawURL string) string {
	if red := redact.URL(rawURL); strings.Contains(red, redact.Mask) {
		return red
	}
	return rawURL
}

// cause says in a few words why a request failed, without the URL (which
// net/http quotes, possibly with credentials).
func cause(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return fmt.Sprintf("no answer within %v", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return redact.String(err.Error())
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
