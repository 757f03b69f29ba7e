// Package redact removes credentials from Redis URLs and from any text that
// contains one, so that nothing rescli prints or logs carries a password.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces a secret in output.
const Mask = "***"

// secretParams are query parameters that carry credentials in the URL forms
// go-redis and rescli accept.
var secretParams = []string{"password", "sentinel_password", "sentinelpassword", "pass", "token", "auth"}

// URL returns raw with its password (and any credential query parameter)
// replaced by ***: redis://user:secret@host:6379 → redis://user:***@host:6379,
// redis://:secret@host → redis://:***@host. A URL that does not parse is
// masked wholesale between the scheme and the host so that a malformed input
// can still be echoed in an error message.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" && u.User == nil {
		// e.g. redis+cluster://n1:7000,n2?password=x: Go's parser refuses
		// a host list whose last member has no port.
		return maskQuery(maskUserinfo(raw))
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask)
		} else if u.User.Username() != "" {
			// redis://secret@host: some clients read a lone user as the password.
			u.User = url.User(Mask)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			for _, s := range secretParams {
				if strings.EqualFold(k, s) {
					q.Set(k, Mask)
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	// url.String escapes the mask's asterisks; put them back for readability.
	return strings.ReplaceAll(u.String(), "%2A%2A%2A", Mask)
}

var userinfo = regexp.MustCompile(`(//)[^/@\s]*@`)

var secretQuery = regexp.MustCompile(`(?i)([?&](?:` + strings.Join(secretParams, "|") + `)=)[^&#\s]*`)

func maskQuery(s string) string {
	return secretQuery.ReplaceAllString(s, "${1}"+Mask)
}

func maskUserinfo(s string) string {
	return userinfo.ReplaceAllString(s, "${1}"+Mask+"@")
}

// urlInText finds URL-looking tokens with a scheme; go-redis and net errors
// sometimes quote the address the user gave.
var urlInText = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// String redacts every URL inside free text, e.g. an error message.
func String(s string) string {
	return urlInText.ReplaceAllStringFunc(s, URL)
}
