package chaos

import "strings"

// selector picks the requests a Redis-level fault acts on: by command name
// (separated by commas, | or spaces, any case; empty: every command) and by
// a glob on the key (the first argument; empty: any request, with or
// without a key) in Redis's own glob syntax (globMatch). Each is at most
// 1024 bytes. Every pattern is valid, as in Redis: "[" matches nothing
// rather than being refused.
type selector struct {
	Command string `json:"command,omitempty"`
	Key     string `json:"key,omitempty"`
}

func (s *selector) matches(r *Request) bool {
	if s.Command != "" {
		name, found := r.Name(), false
		for c := range strings.FieldsFuncSeq(s.Command, isCommandSep) {
			if strings.EqualFold(strings.TrimSpace(c), name) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if s.Key == "" {
		return true
	}
	key, ok := r.Key()
	return ok && globMatch([]byte(s.Key), key)
}

func isCommandSep(r rune) bool { return r == ',' || r == '|' || r == ' ' }
