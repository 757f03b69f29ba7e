package chaos

import (
	"bytes"
	"strings"
)

// Requests are parsed by hand: go-redis's reader is internal and reads from
// a socket, while the proxy needs to frame bytes it already holds and
// forward them unchanged. The parser is a pure function over a buffer,
// returns errIncomplete when it ends inside a frame, and never trusts a
// length before the bytes are there (the fuzz test holds it to that).
// Replies are never parsed: made-up replies are placed by stand-ins (see
// conn_down.go).

const (
	maxBulk   = 512 << 20 // Redis's proto-max-bulk-len default
	maxArgs   = 1 << 20   // Redis's limit on a multibulk's length
	maxInline = 64 << 10  // Redis's limit on an inline command
)

// Request is one Redis command as the client sent it.
type Request struct {
	// Args holds the command name and its arguments; the slices point into
	// the proxy's read buffer and are valid only during Request.
	Args [][]byte
	name string // Name's result, made once: every fault's selector asks
}

// Name is the command name in upper case ("GET").
func (r *Request) Name() string {
	if r.name == "" && len(r.Args) > 0 {
		r.name = strings.ToUpper(string(r.Args[0]))
	}
	return r.name
}

// Key is the first argument after the command name, which is the key for
// most commands; ok is false when there is none.
func (r *Request) Key() (key []byte, ok bool) {
	if len(r.Args) < 2 {
		return nil, false
	}
	return r.Args[1], true
}

// parseRequest reads one request (a multibulk of bulk strings, or an inline
// command) from the front of b and returns it with its length in bytes. An
// empty request (blank inline line, *0) has no Args and gets no reply.
func parseRequest(b []byte) (Request, int, error) {
	if len(b) == 0 {
		return Request{}, 0, errIncomplete
	}
	if b[0] != '*' {
		return parseInline(b)
	}
	n, pos, err := parseLen(b, 1, maxArgs)
	if err != nil {
		return Request{}, 0, err
	}
	var req Request
	for i := int64(0); i < n; i++ {
		if pos >= len(b) {
			return Request{}, 0, errIncomplete
		}
		if b[pos] != '$' {
			return Request{}, 0, errProtocol
		}
		size, next, err := parseLen(b, pos+1, maxBulk)
		if err != nil {
			return Request{}, 0, err
		}
		if size < 0 {
			return Request{}, 0, errProtocol
		}
		end := next + int(size)
		if end+2 > len(b) {
			return Request{}, 0, errIncomplete
		}
		if b[end] != '\r' || b[end+1] != '\n' {
			return Request{}, 0, errProtocol
		}
		req.Args = append(req.Args, b[next:end])
		pos = end + 2
	}
	return req, pos, nil
}

func parseInline(b []byte) (Request, int, error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) > maxInline {
			return Request{}, 0, errProtocol
		}
		return Request{}, 0, errIncomplete
	}
	var req Request
	for _, f := range bytes.Fields(b[:i]) {
		req.Args = append(req.Args, f)
	}
	return req, i + 1, nil
}

// parseLen reads a decimal number ending in \r\n at b[pos:] and returns it
// and the position after the \r\n. Negative numbers (null values) are
// allowed down to -1.
func parseLen(b []byte, pos int, limit int64) (int64, int, error) {
	end := bytes.Index(b[pos:], []byte("\r\n"))
	if end < 0 {
		if len(b)-pos > 20 {
			return 0, 0, errProtocol
		}
		return 0, 0, errIncomplete
	}
	digits := b[pos : pos+end]
	neg := len(digits) > 0 && digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 19 {
		return 0, 0, errProtocol
	}
	var n int64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, 0, errProtocol
		}
		n = n*10 + int64(d-'0')
	}
	if neg {
		n = -n
	}
	if n < -1 || n > limit {
		return 0, 0, errProtocol
	}
	return n, pos + end + 2, nil
}
