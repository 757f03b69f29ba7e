package health

import (
	"net/http"

	"github.com/rescli/rescli/internal/bearer"
)

// admin guards an admin document (see guard).
func (c *Checker) admin(doc func() Document) http.Handler {
	return c.guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeDoc(w, doc()) }))
}

// guard lets a request through to h only with the admin token: no token
// configured → 404 (disabled, never open), no Bearer token → 401 with
// WWW-Authenticate, wrong → 403. The token is compared in constant time
// (internal/bearer) and never echoed.
func (c *Checker) guard(h http.Handler) http.Handler {
	want := bearer.New(c.opts.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !want.Required() {
			writePlain(w, http.StatusNotFound, "admin endpoints are disabled: no admin token configured")
			return
		}
		switch want.Check(r.Header.Get("Authorization"), false) {
		case bearer.Missing:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli health"`)
			writePlain(w, http.StatusUnauthorized, "admin token required: Authorization: Bearer <token>")
		case bearer.Wrong:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli health", error="invalid_token"`)
			writePlain(w, http.StatusForbidden, "admin token rejected")
		default:
			h.ServeHTTP(w, r)
		}
	})
}
