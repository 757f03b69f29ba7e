package health

import (
	"bytes"
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
	if err := checkURL(rawURL, safe, "http://host:port[/path]"); err != nil {
		return res, err
	}
	token := ""
	if admin {
		token = c.Token
	}
	resp, err := c.do(ctx, http.MethodGet, rawURL, token, nil)
	res.Took, res.Code = resp.took, resp.code
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", safe, err)
	}
	if err := statusErr(resp.code); err != nil {
		return res, fmt.Errorf("fetch %s: %w", safe, err)
	}
	res.Format, res.Doc, err = Decode(resp.code, resp.contentType, resp.body)
	if err != nil {
		return res, fmt.Errorf("decode %s: %w", safe, err)
	}
	return res, nil
}

// checkURL refuses what is not an http(s) URL with a host.
func checkURL(rawURL, safe, want string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w %s: want %s", ErrBadURL, safe, want)
	}
	return nil
}

// answer is an HTTP answer, its body read (at most maxBody).
type answer struct {
	code        int
	contentType string
	body        []byte
	took        time.Duration
}

// do sends one request, under c.Timeout (body included), with token as a
// bearer token when not empty; a GET asks for a health document, a POST
// sends and asks for JSON. Its error is ErrUnreachable with the cause.
func (c *Client) do(ctx context.Context, method, rawURL, token string, body []byte) (answer, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(body))
	if err != nil {
		return answer{}, fmt.Errorf("%w: %s", ErrBadURL, cause(err, timeout))
	}
	if method == http.MethodGet {
		req.Header.Set("Accept", MediaType+", application/json;q=0.9, */*;q=0.5")
	} else {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%w: %s", ErrUnreachable, cause(err, timeout))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	a := answer{code: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b, took: time.Since(start)}
	if err != nil {
		return a, fmt.Errorf("%w: %s", ErrUnreachable, cause(err, timeout))
	}
	return a, nil
}

// statusErr is the error of the answers every endpoint gives alike: 401,
// 403 and 404; nil for the others.
func statusErr(code int) error {
	switch code {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	}
	return nil
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
