package chaos

import (
	"net/http"

	"github.com/rescli/rescli/internal/bearer"
)

// RequireToken guards the control API h with a token. Anyone who reaches
// the API can create proxies that listen on any address and forward to any
// host, and inject faults, so an API bound beyond loopback wants one.
//
// With token "" it returns h unchanged: Toxiproxy has no authentication,
// and its clients keep working. Otherwise every route, /version and
// /metrics included, needs "Authorization: Bearer <token>" or Basic
// credentials whose password is the token — Toxiproxy's client and
// toxiproxy-cli send those when the token is in the API URL
// (TOXIPROXY_URL=http://:token@127.0.0.1:8474). The comparison takes
// constant time; no credential is 401 with WWW-Authenticate, a wrong one
// 403, and the token is never echoed.
func RequireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := bearer.New(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch want.Check(r.Header.Get("Authorization"), true) {
		case bearer.OK:
			h.ServeHTTP(w, r)
		case bearer.Missing:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli chaos"`)
			writeJSON(w, http.StatusUnauthorized, APIError{Status: http.StatusUnauthorized,
				Message: "this control API requires a token: send Authorization: Bearer <token> (rescli: set RESCLI_CHAOS_API_TOKEN)"})
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli chaos", error="invalid_token"`)
			writeJSON(w, http.StatusForbidden, APIError{Status: http.StatusForbidden,
				Message: "control API token rejected"})
		}
	})
}
