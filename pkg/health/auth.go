package health

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// authResult is the outcome of checking an Authorization header.
type authResult int

const (
	authOK authResult = iota
	authMissing
	authWrong
)

// checkBearer compares the header's Bearer token with want in constant
// time. Both sides are hashed first so that the comparison takes as long
// whatever the lengths.
func checkBearer(header string, want [sha256.Size]byte) authResult {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return authMissing
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return authWrong
	}
	return authOK
}

// admin guards an admin document: no token configured → 404 (disabled,
// never open), no Bearer token → 401 with WWW-Authenticate, wrong → 403.
// The token is never echoed.
func (c *Checker) admin(doc func() Document) http.Handler {
	token := c.opts.AdminToken
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			writePlain(w, http.StatusNotFound, "admin health endpoints are disabled: no admin token configured")
			return
		}
		switch checkBearer(r.Header.Get("Authorization"), want) {
		case authMissing:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli health"`)
			writePlain(w, http.StatusUnauthorized, "admin token required: Authorization: Bearer <token>")
		case authWrong:
			w.Header().Set("WWW-Authenticate", `Bearer realm="rescli health", error="invalid_token"`)
			writePlain(w, http.StatusForbidden, "admin token rejected")
		default:
			writeDoc(w, doc())
		}
	})
}
