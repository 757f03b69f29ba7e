package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RedisURL is the context's target: url as written, or read from the
// variable url_env or the file url_file. "" when the context names none.
func (f *File) RedisURL(c *Context, getenv func(string) string) (string, error) {
	switch {
	case c.URLEnv != "":
		v := strings.TrimSpace(getenv(c.URLEnv))
		if v == "" {
			return "", fmt.Errorf("context %q: url_env %s is not set", c.Name, c.URLEnv)
		}
		return v, nil
	case c.URLFile != "":
		return f.readSecret(c, "url_file", c.URLFile, getenv)
	}
	return c.URL, nil
}

// Token is the context's admin token: read from the variable token_env
// ("" when it is unset: like RESCLI_ADMIN_TOKEN unset, no token is sent)
// or the file token_file (an error when it cannot be read or is empty).
func (f *File) Token(c *Context, getenv func(string) string) (string, error) {
	switch {
	case c.TokenEnv != "":
		return strings.TrimSpace(getenv(c.TokenEnv)), nil
	case c.TokenFile != "":
		return f.readSecret(c, "token_file", c.TokenFile, getenv)
	}
	return "", nil
}

// TokenSource says where the token comes from, for people: "env
// PROD_TOKEN (set)", "file ~/.config/rescli/prod.token", "none". It never
// says the token.
func (f *File) TokenSource(c *Context, getenv func(string) string) string {
	switch {
	case c.TokenEnv != "":
		if getenv(c.TokenEnv) == "" {
			return "env " + c.TokenEnv + " (not set)"
		}
		return "env " + c.TokenEnv + " (set)"
	case c.TokenFile != "":
		if _, err := f.readSecret(c, "token_file", c.TokenFile, getenv); err != nil {
			return "file " + c.TokenFile + " (unreadable)"
		}
		return "file " + c.TokenFile
	}
	return "none"
}

// readSecret reads a small file named in the context: ~/ is the home
// directory, a relative path is relative to the config file's directory.
func (f *File) readSecret(c *Context, field, path string, getenv func(string) string) (string, error) {
	full := f.resolvePath(path, getenv)
	b, err := readCapped(full, MaxSecretSize)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return "", fmt.Errorf("context %q: %s %s: %w", c.Name, field, full, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("context %q: %s %s is empty", c.Name, field, full)
	}
	return s, nil
}

func (f *File) resolvePath(path string, getenv func(string) string) string {
	switch {
	case strings.HasPrefix(path, "~/"):
		return filepath.Join(getenv("HOME"), path[2:])
	case filepath.IsAbs(path) || f.path == "":
		return path
	}
	return filepath.Join(filepath.Dir(f.path), path)
}
