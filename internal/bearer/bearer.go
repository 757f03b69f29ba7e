// Package bearer checks HTTP Authorization headers against a shared secret
// in constant time: "Bearer <token>", and optionally Basic with the token as
// the password, which is what an HTTP client sends when the token is in the
// URL (http://:token@host:port) — the only way some clients can send one.
// Both sides are hashed before comparing, so that the comparison takes as
// long whatever the lengths, and the token is never echoed.
// The chaos control API and pkg/health's admin endpoints both use it.
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// Result is the outcome of checking a header.
type Result int

const (
	// OK means the header carried the token.
	OK Result = iota
	// Missing means there was no usable credential (401).
	Missing
	// Wrong means a credential was given and it is not the token (403).
	Wrong
)

// Token is an expected token, kept only as its SHA-256.
type Token struct {
	sum [sha256.Size]byte
	set bool
}

// New returns the expected token s; "" means no token is required.
func New(s string) Token {
	if s == "" {
		return Token{}
	}
	return Token{sum: sha256.Sum256([]byte(s)), set: true}
}

// Required reports whether a token was configured.
func (t Token) Required() bool { return t.set }

// Check checks an Authorization header for "Bearer <token>" (scheme in any
// case, spaces around the token ignored); with basic, also for Basic
// credentials whose password is the token (the user name is ignored).
func (t Token) Check(header string, basic bool) Result {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" {
		return Missing
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
	case basic && strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return Wrong
		}
		_, cred, _ = strings.Cut(string(raw), ":")
	default:
		return Missing
	}
	got := sha256.Sum256([]byte(cred))
	if !t.set || subtle.ConstantTimeCompare(got[:], t.sum[:]) != 1 {
		return Wrong
	}
	return OK
}
