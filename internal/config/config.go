// Package config reads and writes rescli's config file of named contexts
// ($XDG_CONFIG_HOME/rescli/config.yaml, else ~/.config/rescli/config.yaml).
// A context names a Redis target, the services that use it, the hosts
// chaos faults may touch there, and where its admin token is read from: an
// environment variable or a file, never the file itself. A URL in the file
// carries no password either; one that needs it is read from a variable
// (url_env) or a file (url_file). The file is decoded strictly (unknown
// fields are errors), without YAML anchors or aliases, and is at most
// MaxFileSize bytes.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrInvalid wraps every problem found in a config file.
var ErrInvalid = errors.New("invalid config")

// ErrNoContext is returned by Find for a name the file does not have.
var ErrNoContext = errors.New("no such context")

// Limits of a config file.
const (
	MaxFileSize = 64 << 10
	MaxContexts = 100
	MaxList     = 100 // services or allow patterns in one context
	// MaxSecretSize bounds a token_file or url_file.
	MaxSecretSize = 4 << 10
)

// File is the config file.
type File struct {
	// CurrentContext is the context used when none is named.
	CurrentContext string    `yaml:"current-context,omitempty"`
	Contexts       []Context `yaml:"contexts"`
	// path is where the file was read from; relative files in it are
	// relative to its directory.
	path string
}

// Context is one named place rescli works on.
type Context struct {
	Name string `yaml:"name"`
	// URL is the Redis target without a password; URLEnv or URLFile name
	// where a URL with one is read from. At most one of the three.
	URL     string `yaml:"url,omitempty"`
	URLEnv  string `yaml:"url_env,omitempty"`
	URLFile string `yaml:"url_file,omitempty"`
	// Services are base URLs of services with rescli's health endpoints.
	Services []string `yaml:"services,omitempty"`
	// Allow are host patterns server-side chaos faults may touch.
	Allow []string `yaml:"allow,omitempty"`
	// TokenEnv or TokenFile say where the services' admin token is read.
	TokenEnv  string `yaml:"token_env,omitempty"`
	TokenFile string `yaml:"token_file,omitempty"`

	// Token and Password are here only to be refused with a clear
	// message: a secret is never stored in the file.
	Token    string `yaml:"token,omitempty"`
	Password string `yaml:"password,omitempty"`
}

// Path is the config file's path: $XDG_CONFIG_HOME/rescli/config.yaml, else
// $HOME/.config/rescli/config.yaml.
func Path(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "rescli", "config.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", noHome{}
	}
	return filepath.Join(home, ".config", "rescli", "config.yaml"), nil
}

// noHome is Path's error when there is no place for the file; it is an
// fs.ErrNotExist, as a missing file is, with a message of its own.
type noHome struct{}

func (noHome) Error() string {
	return "no config file: neither XDG_CONFIG_HOME (an absolute path) nor HOME is set"
}

func (noHome) Is(target error) bool { return target == fs.ErrNotExist }

// Path is where the file was read from.
func (f *File) Path() string { return f.path }

// Find returns the context named name.
func (f *File) Find(name string) (*Context, error) {
	for i := range f.Contexts {
		if f.Contexts[i].Name == name {
			return &f.Contexts[i], nil
		}
	}
	names := make([]string, len(f.Contexts))
	for i, c := range f.Contexts {
		names[i] = c.Name
	}
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("%w %q in %s (contexts: %s)", ErrNoContext, name, f.path, have)
}

// validName is what a context may be called: it is typed on command lines
// and written into the file as is.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can name a context.
func ValidName(name string) bool { return validName.MatchString(name) }
