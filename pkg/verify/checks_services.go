package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var httpClient = &http.Client{Timeout: 3 * time.Second}

func get(ctx context.Context, base, path, token string) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path, nil)
	if err != nil {
		return 0, nil, 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, time.Since(start), err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, time.Since(start), err
}

func checkServiceHealth(ctx context.Context, _ *env, svc string) Result {
	code, body, took, err := get(ctx, svc, "/health", "")
	if err != nil {
		return fail(err.Error(), "the service does not answer /health: is it running and listening there?")
	}
	var doc struct{ Status string }
	_ = json.Unmarshal(body, &doc)
	v := fmt.Sprintf("HTTP %d status %q in %s", code, doc.Status, round(took))
	switch {
	case took > time.Second:
		return fail(v, "/health must answer from cached state in well under a second, even while Redis hangs")
	case code >= 500 || doc.Status == "fail":
		return fail(v, "the service reports itself unhealthy: see /health/detailed")
	case doc.Status == "warn":
		return warn(v, "the service reports a degraded state: see /health/detailed")
	}
	return pass(v)
}

func checkServiceAuth(ctx context.Context, e *env, svc string) Result {
	missing, _, _, err := get(ctx, svc, "/health/detailed", "")
	if err != nil {
		return fail(err.Error(), "the service does not answer")
	}
	wrong, _, _, err := get(ctx, svc, "/health/detailed", "rescli-verify-wrong-token")
	if err != nil {
		return fail(err.Error(), "the service does not answer")
	}
	v := fmt.Sprintf("no token → %d, wrong token → %d", missing, wrong)
	if missing == http.StatusNotFound && wrong == http.StatusNotFound {
		return warn(v, "admin endpoints are disabled (no admin token configured)")
	}
	if missing != http.StatusUnauthorized || wrong != http.StatusForbidden {
		return fail(v, "admin endpoints must answer 401 without a token and 403 with a wrong one")
	}
	if e.opts.Token != "" {
		ok, _, _, err := get(ctx, svc, "/health/detailed", e.opts.Token)
		if err == nil {
			v += fmt.Sprintf(", --token → %d", ok)
			if ok == http.StatusUnauthorized || ok == http.StatusForbidden {
				return fail(v, "the admin token given with --token / RESCLI_ADMIN_TOKEN was refused")
			}
		}
	}
	return pass(v)
}

func checkServiceRedis(ctx context.Context, e *env, svc string) Result {
	if e.opts.Token == "" {
		return skipped("no --token for the admin endpoint")
	}
	code, body, _, err := get(ctx, svc, "/health/redis", e.opts.Token)
	if err != nil {
		return fail(err.Error(), "the service does not answer")
	}
	var doc struct {
		Status string `json:"status"`
		State  string `json:"circuit_breaker_state"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.State == "" {
		return fail(fmt.Sprintf("HTTP %d without circuit_breaker_state", code), "/health/redis must report circuit_breaker_state")
	}
	v := fmt.Sprintf("service says breaker %s (status %s)", doc.State, doc.Status)
	if e.client == nil {
		return pass(v)
	}
	v += fmt.Sprintf("; verify reached the target: %v", e.reachable)
	open := strings.EqualFold(doc.State, "open")
	switch {
	case e.reachable && open:
		return warn(v, "verify reaches Redis but the service's breaker is open: a network path only the service uses, or it has not recovered yet")
	case !e.reachable && !open:
		return warn(v, "verify cannot reach Redis but the service's breaker is closed: is the service using another target?")
	}
	return pass(v)
}
