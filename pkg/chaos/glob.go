package chaos

// globMatch reports whether s matches pattern the way Redis's KEYS, SCAN
// MATCH and PSUBSCRIBE do: a line-by-line port of stringmatchlen (Redis
// src/util.c, case-sensitive). '*' matches any bytes, '/' included; '?' one
// byte; "[a-c]", "[^a]" and "[\]]" a class; '\' escapes the next byte. It
// is written here because no maintained Go package matches Redis exactly:
// path.Match and filepath.Match stop '*' at '/', reject unclosed classes and
// treat '^' as a literal; glob libraries built on regexp differ on ranges
// written backwards ("[z-a]", which Redis swaps), unclosed classes and a
// trailing backslash.
//
// Two quirks are Redis's own and kept: range ends are compared as C chars,
// which are signed on x86-64 (the build that runs here), so a range that
// ends in a byte ≥ 0x80 is swapped and spans the low bytes; and a byte at
// the end of the pattern reads as the C string's terminating NUL. Redis on
// ARM (unsigned chars) differs on the first. The matching gives up on
// longer substitutions for '*' once the rest of the pattern matched nowhere,
// as Redis does since the fix for CVE-2022-36021, so the time stays
// polynomial; the key glob is capped at maxSelector bytes, so the nesting
// limit newer Redis versions add (1000) is never reached.
func globMatch(pattern, s []byte) bool {
	if len(pattern) == 1 && pattern[0] == '*' {
		// KEYS and SCAN return every key for "*" without matching, the
		// empty key included, which stringmatchlen alone would not match.
		return true
	}
	skipLonger := false
	return globMatchImpl(pattern, s, &skipLonger)
}

// at is p[i], or 0 past its end: C's view of a NUL-terminated pattern.
func at(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func globMatchImpl(p, s []byte, skipLonger *bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && at(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globMatchImpl(p[1:], s, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			p, s = p[1:], s[1:]
		case '[':
			rest, ok := matchClass(p[1:], s[0])
			if !ok {
				return false
			}
			p, s = rest, s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the class that p starts (just after '[')
// and returns the pattern after the class's closing ']'. A class with no
// ']' takes the rest of the pattern, as in stringmatchlen.
func matchClass(p []byte, c byte) (rest []byte, ok bool) {
	not := at(p, 0) == '^'
	if not {
		p = p[1:]
	}
	match := false
	for {
		switch {
		case len(p) == 0:
			return nil, match != not
		case p[0] == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				match = true
			}
		case p[0] == ']':
			return p[1:], match != not
		case len(p) >= 3 && p[1] == '-':
			// Redis compares C chars, signed on x86-64.
			lo, hi, x := int(int8(p[0])), int(int8(p[2])), int(int8(c))
			if lo > hi {
				lo, hi = hi, lo
			}
			p = p[2:]
			if x >= lo && x <= hi {
				match = true
			}
		default:
			if p[0] == c {
				match = true
			}
		}
		p = p[1:]
	}
}
