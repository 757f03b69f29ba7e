package chaos

// splitArgs splits an inline command line into arguments exactly as Redis's
// sdssplitargs (sds.c) does, so that a Redis-level fault sees the command
// and key Redis will run: blanks separate arguments; "double quotes" take
// \xHH, \n, \r, \t, \b, \a and \<any byte> escapes; 'single quotes' take
// only \'; a closing quote must be followed by a blank or the end. It
// reports false where Redis answers "unbalanced quotes" (and closes).
func splitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	p := 0
	for {
		for p < len(line) && isCSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return args, true
		}
		var cur []byte
		inq, insq := false, false
		for done := false; !done; {
			c := at(line, p) // 0 past the end, as C's terminating NUL
			switch {
			case inq:
				switch {
				case c == '\\' && at(line, p+1) == 'x' && isHex(at(line, p+2)) && isHex(at(line, p+3)):
					cur = append(cur, unhex(line[p+2])<<4|unhex(line[p+3]))
					p += 3
				case c == '\\' && p+1 < len(line):
					p++
					cur = append(cur, unescape(line[p]))
				case c == '"':
					if p+1 < len(line) && !isCSpace(line[p+1]) {
						return nil, false
					}
					done = true
				case p >= len(line):
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(line, p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if p+1 < len(line) && !isCSpace(line[p+1]) {
						return nil, false
					}
					done = true
				case p >= len(line):
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case p >= len(line), c == ' ', c == '\n', c == '\r', c == '\t':
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
