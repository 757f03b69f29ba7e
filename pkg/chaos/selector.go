package chaos

import (
	"fmt"
	"path"
	"strings"
)

// selector picks the requests a Redis-level fault acts on: by command name
// (separated by commas or |, any case; empty: every command) and by a glob on the
// key (the first argument; empty: any request, with or without a key).
type selector struct {
	Command string `json:"command,omitempty"`
	Key     string `json:"key,omitempty"`
}

func (s *selector) validate() error {
	if s.Key == "" {
		return nil
	}
	if _, err := path.Match(s.Key, ""); err != nil {
		return fmt.Errorf("bad key glob %q: %w", s.Key, err)
	}
	return nil
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
	if !ok {
		return false
	}
	m, _ := path.Match(s.Key, string(key))
	return m
}

func isCommandSep(r rune) bool { return r == ',' || r == '|' || r == ' ' }
