package chaos

import (
	"bytes"
	"math"
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
// empty request (blank inline line, *0, *-5) has no Args and gets no reply.
//
// It accepts exactly what Redis 7's processMultibulkBuffer and
// processInlineBuffer accept, or less: errProtocol covers everything else,
// and the connection then hands the bytes to Redis unread, so that Redis
// answers its own protocol error. What it must never do is hold back, as
// incomplete, bytes that Redis would already refuse (a length of "-0" or
// "01"), nor read a request differently from Redis.
func parseRequest(b []byte) (Request, int, error) { return parseRequestInto(b, nil) }

// parseRequestInto is parseRequest appending a multibulk's arguments to
// args (a caller's scratch slice, so a request costs no allocation).
func parseRequestInto(b []byte, args [][]byte) (Request, int, error) {
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
	req := Request{Args: args}
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
			return Request{}, 0, errProtocol // Redis skips any two bytes here; not worth following
		}
		req.Args = append(req.Args, b[next:end])
		pos = end + 2
	}
	return req, pos, nil
}

// parseInline reads an inline command as Redis does: up to the first \n
// (a \r before it dropped), split by sdssplitargs' rules. Redis looks for
// the \n with strchr, which stops at a NUL byte: a line with a NUL in it
// is never complete for Redis, so it is left to Redis.
func parseInline(b []byte) (Request, int, error) {
	i := bytes.IndexByte(b, '\n')
	end := i
	if end < 0 {
		end = len(b)
	}
	if bytes.IndexByte(b[:end], 0) >= 0 {
		return Request{}, 0, errProtocol
	}
	if i < 0 {
		if len(b) > maxInline {
			return Request{}, 0, errProtocol
		}
		return Request{}, 0, errIncomplete
	}
	line := b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return Request{}, 0, errProtocol // unbalanced quotes: Redis says so
	}
	return Request{Args: args}, i + 1, nil
}

// parseLen reads the number of a "*N\r\n" or "$N\r\n" header at b[pos:]
// and returns it and the position after the \r\n. The digits follow
// Redis's string2ll: an optional '-', no leading zero, no '+', at most 20
// characters. Numbers above limit are errProtocol; a multibulk count ≤ 0
// is an empty request, for Redis as here, and the caller refuses a negative
// bulk length.
func parseLen(b []byte, pos int, limit int64) (int64, int, error) {
	end := bytes.Index(b[pos:], []byte("\r\n"))
	if end < 0 {
		if len(b)-pos > 20 {
			return 0, 0, errProtocol
		}
		return 0, 0, errIncomplete
	}
	n, ok := string2ll(b[pos : pos+end])
	if !ok || n > limit {
		return 0, 0, errProtocol
	}
	return n, pos + end + 2, nil
}

// string2ll is Redis's string2ll (util.c) for the values the proxy can use:
// false for anything Redis would refuse, and for what overflows int64.
func string2ll(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var n int64
	for _, d := range s {
		if d < '0' || d > '9' || n > (math.MaxInt64-int64(d-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
