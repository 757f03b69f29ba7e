package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	if err := checkURL(rawURL, safe, "http://host:port"); err != nil {
		return st, err
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
	resp, err := c.do(ctx, http.MethodPost, rawURL, token, body)
	if err != nil {
		return st, fmt.Errorf("%s %s: %w", action, safe, err)
	}
	if err := statusErr(resp.code); err != nil {
		return st, fmt.Errorf("%s %s: %w", action, safe, err)
	}
	switch resp.code {
	case http.StatusOK:
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
