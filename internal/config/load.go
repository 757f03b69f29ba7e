package config

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/target"
)

// Load reads and checks the config file at path. A missing file is an
// error that errors.Is(err, fs.ErrNotExist) recognises.
func Load(path string) (*File, error) {
	b, err := readCapped(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.path = path
	return f, nil
}

// readCapped reads at most limit bytes of path; more is an error (a FIFO
// or /dev/zero cannot keep it reading).
func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrInvalid, path, limit)
	}
	return b, nil
}

// Parse decodes and checks a config file's text.
func Parse(b []byte) (f *File, err error) {
	defer func() { // goccy/go-yaml panics on some malformed input: an error, not a crash
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: malformed YAML the parser could not read", ErrInvalid)
		}
	}()
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxFileSize)
	}
	if err := checkTokens(b); err != nil {
		return nil, err
	}
	f = &File{}
	if err := yaml.UnmarshalWithOptions(b, f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.Join(strings.Fields(yaml.FormatError(err, false, false)), " "))
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// checkTokens refuses anchors, aliases and merge keys (an alias can make
// a tiny file expand without bound, and a config file has no use for
// them) and deep flow nesting (the parser is slow on it).
func checkTokens(b []byte) error {
	tokens := lexer.Tokenize(string(b))
	if len(tokens) > 20_000 {
		return fmt.Errorf("%w: too many YAML tokens", ErrInvalid)
	}
	depth := 0
	for _, tk := range tokens {
		switch tk.Type {
		case token.AnchorType, token.AliasType, token.MergeKeyType:
			return fmt.Errorf("%w: line %d: YAML anchors, aliases and merge keys are not allowed", ErrInvalid, tk.Position.Line)
		case token.SequenceStartType, token.MappingStartType:
			if depth++; depth > 8 {
				return fmt.Errorf("%w: line %d: nested too deep", ErrInvalid, tk.Position.Line)
			}
		case token.SequenceEndType, token.MappingEndType:
			depth--
		}
	}
	return nil
}

func (f *File) validate() error {
	if len(f.Contexts) > MaxContexts {
		return fmt.Errorf("%w: %d contexts, at most %d", ErrInvalid, len(f.Contexts), MaxContexts)
	}
	seen := map[string]bool{}
	for i := range f.Contexts {
		c := &f.Contexts[i]
		if err := c.validate(); err != nil {
			return fmt.Errorf("%w: context %q: %w", ErrInvalid, c.Name, err)
		}
		if seen[c.Name] {
			return fmt.Errorf("%w: context %q is defined twice", ErrInvalid, c.Name)
		}
		seen[c.Name] = true
	}
	if f.CurrentContext != "" && !seen[f.CurrentContext] {
		return fmt.Errorf("%w: current-context %q is not one of the contexts", ErrInvalid, f.CurrentContext)
	}
	return nil
}

func (c *Context) validate() error {
	switch {
	case !ValidName(c.Name):
		return fmt.Errorf("name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	case c.Token != "":
		return fmt.Errorf("a token is never stored in the config file: name where to read it, token_env: VARIABLE or token_file: PATH")
	case c.Password != "":
		return fmt.Errorf("a password is never stored in the config file: put the URL with its password in a variable (url_env) or a file (url_file)")
	case count(c.URL, c.URLEnv, c.URLFile) > 1:
		return fmt.Errorf("give at most one of url, url_env and url_file")
	case c.TokenEnv != "" && c.TokenFile != "":
		return fmt.Errorf("give at most one of token_env and token_file")
	case len(c.Services) > MaxList || len(c.Allow) > MaxList:
		return fmt.Errorf("at most %d services and %d allow patterns", MaxList, MaxList)
	}
	if c.URL != "" {
		t, err := target.Parse(c.URL)
		if err != nil {
			return err // target's errors carry no password
		}
		if t.Password != "" || t.SentinelPassword != "" {
			return fmt.Errorf("url %s carries a password: put it in a variable (url_env) or a file (url_file) instead", redact.URL(c.URL))
		}
	}
	for _, s := range c.Services {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("service %s: want http://host:port", redact.URL(s))
		}
		if _, hasPass := u.User.Password(); hasPass {
			return fmt.Errorf("service %s carries a password", redact.URL(s))
		}
	}
	return nil
}

func count(ss ...string) int {
	n := 0
	for _, s := range ss {
		if s != "" {
			n++
		}
	}
	return n
}
