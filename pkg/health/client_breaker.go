package health

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
	"time"
)

// Errors of BreakerAction, besides Fetch's.
var (
	// ErrRefused is returned when the service refused the request (400 or
	// 413); the error says the service's reason.
	ErrRefused = errors.New("request refused")
	// ErrBadAction is returned for an action that is not ActionForceOpen,
	// ActionDisable or ActionReset; nothing is sent.
	ErrBadAction = errors.New("unknown breaker action")
)

// BreakerAction asks the service at baseURL (http://host:port, the root its
// health endpoints are served under) to force-open, disable or reset its
// circuit breaker (ActionForceOpen, ActionDisable, ActionReset) with
// reason, and returns the breaker's state after it. token is the service's
// admin token (c.Token when empty). The action and reason are checked here
// first, as the service would, and nothing is sent when they are wrong.
// Errors: ErrBadURL, ErrBadAction, ErrBadReason,
// ErrUnreachable, ErrUnauthorized (401), ErrForbidden (403), ErrNotFound
// (404: no admin token configured on the service, or no breaker there),
// ErrRefused (400, 413) and ErrBadResponse, each wrapped with the
// redacted URL.
func (c *Client) BreakerAction(ctx context.Context, baseURL, token, action, reason string) (BreakerState, error) {
	var st BreakerState
	rawURL := strings.TrimSuffix(baseURL, "/") + PathBreaker
	safe := safeURL(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return st, fmt.Errorf("%w %s: want http://host:port", ErrBadURL, safe)
	}
	switch action {
	case ActionForceOpen, ActionDisable, ActionReset:
	default:
		return st, fmt.Errorf("%w %.40q: want %s, %s or %s", ErrBadAction, action,
			ActionForceOpen, ActionDisable, ActionReset)
	}
	if err := CheckReason(reason, action != ActionReset); err != nil {
		return st, err
	}
	if token == "" {
		token = c.Token
	}
	body, _ := json.Marshal(BreakerRequest{Action: action, Reason: reason})
	resp, timeout, err := c.post(ctx, rawURL, token, body)
	if err != nil {
		return st, fmt.Errorf("%s %s: %w: %s", action, safe, ErrUnreachable, cause(err, timeout))
	}
	switch resp.code {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return st, fmt.Errorf("%s %s: %w", action, safe, ErrUnauthorized)
	case http.StatusForbidden:
		return st, fmt.Errorf("%s %s: %w", action, safe, ErrForbidden)
	case http.StatusNotFound:
		return st, fmt.Errorf("%s %s: %w", action, safe, ErrNotFound)
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return st, fmt.Errorf("%s %s: %w (%d): %.200s", action, safe, ErrRefused, resp.code, strings.TrimSpace(string(resp.body)))
	default:
		return st, fmt.Errorf("%s %s: %w: HTTP %d", action, safe, ErrBadResponse, resp.code)
	}
	if err := json.Unmarshal(resp.body, &st); err != nil || st.State == "" {
		return st, fmt.Errorf("%s %s: %w: not a breaker state", action, safe, ErrBadResponse)
	}
	return st, nil
}

type posted struct {
	code int
	body []byte
}

// post sends body with the token; it returns the timeout it ran under,
// for cause.
func (c *Client) post(ctx context.Context, rawURL, token string, body []byte) (posted, time.Duration, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return posted{}, timeout, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return posted{}, timeout, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return posted{code: resp.StatusCode, body: b}, timeout, err
}
