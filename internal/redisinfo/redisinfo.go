// Package redisinfo reads the text of a Redis INFO (or CLUSTER INFO) reply:
// "field:value" lines, "# Section" headers and blank lines, CRLF or LF.
// Every rescli package that looks at INFO uses it, so they read it alike.
package redisinfo

import (
	"strconv"
	"strings"
)

// Fields maps each field of an INFO reply to its value.
type Fields map[string]string

// Parse reads an INFO reply.
func Parse(raw string) Fields {
	out := Fields{}
	for line := range strings.Lines(raw) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}

// Int returns a numeric field, 0 when it is missing or not a number.
func (f Fields) Int(key string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(f[key]), 10, 64)
	return n
}
