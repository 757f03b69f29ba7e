package chaos

import "bytes"

// maxReplyDepth bounds nesting in parseReply.
const maxReplyDepth = 512

// The proxy never frames replies (see conn_down.go); the tests' raw
// clients do, with this.

// parseReply frames one RESP2 or RESP3 reply at the front of b and returns
// its length and whether it is an out-of-band push (which answers no
// request). Attributes are framed together with the value they annotate.
func parseReply(b []byte) (n int, push bool, err error) {
	if len(b) == 0 {
		return 0, false, errIncomplete
	}
	push = b[0] == '>'
	pos, remaining := 0, 1
	for remaining > 0 {
		if pos >= len(b) {
			return 0, false, errIncomplete
		}
		if remaining > maxArgs*maxReplyDepth {
			return 0, false, errProtocol
		}
		t := b[pos]
		switch t {
		case '+', '-', ':', '_', ',', '#', '(':
			end := bytes.Index(b[pos:], []byte("\r\n"))
			if end < 0 {
				return 0, false, errIncomplete
			}
			pos += end + 2
			remaining--
		case '$', '!', '=':
			size, next, err := parseLen(b, pos+1, maxBulk)
			if err != nil {
				return 0, false, err
			}
			pos = next
			if size >= 0 {
				if pos+int(size)+2 > len(b) {
					return 0, false, errIncomplete
				}
				if b[pos+int(size)] != '\r' || b[pos+int(size)+1] != '\n' {
					return 0, false, errProtocol
				}
				pos += int(size) + 2
			}
			remaining--
		case '*', '~', '>', '%', '|':
			count, next, err := parseLen(b, pos+1, maxArgs)
			if err != nil {
				return 0, false, err
			}
			pos = next
			if count > 0 && (t == '%' || t == '|') {
				count *= 2
			}
			if t != '|' { // an attribute precedes the value it annotates
				remaining--
			}
			remaining += int(max(count, 0))
		default:
			return 0, false, errProtocol
		}
	}
	return pos, push, nil
}
