package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/config"
)

// Variables a context stands in for, and the one that names a context.
const (
	envContext    = "RESCLI_CONTEXT"
	envRedisURL   = "REDIS_URL"
	envChaosAllow = "RESCLI_CHAOS_ALLOW"
)

// skipContext are the commands that never use a context: they work
// whatever the config file holds (config reads it itself; shell
// completion asks the file for names only).
var skipContext = map[string]bool{"config": true, "version": true, "docs": true, "completion": true, "help": true,
	cobra.ShellCompRequestCmd: true, cobra.ShellCompNoDescRequestCmd: true}

// activeContext is the context a command runs in. What it stands for is
// read from its variable or file when a command first asks for it, so a
// command that never asks (dev, or health given --redis-url) is not
// stopped by a context it does not use.
type activeContext struct {
	name     string
	explicit bool // named by --context or RESCLI_CONTEXT, not current-context
	services []string
	file     *config.File
	ctx      *config.Context
	getenv   func(string) string // the environment without the context

	mu   sync.Mutex
	read map[string]string // values read so far
}

// newActiveContext finds the context called name in f.
func newActiveContext(f *config.File, name string, getenv func(string) string) (*activeContext, error) {
	c, err := f.Find(name)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return &activeContext{name: name, services: c.Services, file: f, ctx: c, getenv: getenv, read: map[string]string{}}, nil
}

// value reads what the context gives variable k ("" for one it does not
// stand for).
func (ac *activeContext) value(k string) (string, error) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if v, ok := ac.read[k]; ok {
		return v, nil
	}
	var v string
	var err error
	switch k {
	case envRedisURL:
		v, err = ac.file.RedisURL(ac.ctx, ac.getenv)
	case envAdminToken:
		v, err = ac.file.Token(ac.ctx, ac.getenv)
	case envChaosAllow:
		v = strings.Join(ac.ctx.Allow, ",")
	}
	if err != nil {
		return "", Usagef("%v", err)
	}
	ac.read[k] = v
	return v, nil
}

// gaveURL reports whether the context's URL was read (and not empty).
func (ac *activeContext) gaveURL() bool {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.read[envRedisURL] != ""
}

// useContext finds the context the command runs in (--context, else
// RESCLI_CONTEXT, else the file's current-context) and makes it supply the
// settings it holds. Explicit flags always win. A context named by
// --context or RESCLI_CONTEXT also wins over REDIS_URL, RESCLI_ADMIN_TOKEN
// and RESCLI_CHAOS_ALLOW, and what it holds must be readable (its URL is
// not read when --redis-url is given); the file's current-context yields
// to them, and a value of it that cannot be read is left unset with a
// warning when a command asks for it.
func (g *Global) useContext(cmd *cobra.Command) error {
	for c := cmd; c != nil; c = c.Parent() {
		if skipContext[c.Name()] {
			return nil
		}
	}
	name, explicit := g.ContextName, g.ContextName != ""
	if !explicit {
		name = g.Getenv(envContext)
		explicit = name != ""
	}
	f, err := g.configFile()
	switch {
	case errors.Is(err, fs.ErrNotExist) && explicit:
		return noConfigFile(name, err)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return Usagef("%v", err)
	}
	g.config = f
	if !explicit {
		name = f.CurrentContext
	}
	if name == "" {
		return nil
	}
	env := g.Getenv
	ac, err := newActiveContext(f, name, env)
	if err != nil {
		return err
	}
	ac.explicit = explicit
	if explicit {
		for _, k := range []string{envRedisURL, envAdminToken} {
			if k == envRedisURL && g.RedisURL != "" {
				continue
			}
			if _, err := ac.value(k); err != nil {
				return err
			}
		}
	}
	g.context = ac
	var warned sync.Once
	g.Getenv = func(k string) string {
		if k != envRedisURL && k != envAdminToken && k != envChaosAllow || !explicit && env(k) != "" {
			return env(k)
		}
		v, err := ac.value(k)
		if err != nil { // current-context only: a named one was read above
			warned.Do(func() {
				fprintln(g.IO.ErrOut, fmt.Sprintf("rescli: warning: the current context %q: %v; not used", name, err))
			})
		}
		if v == "" {
			return env(k)
		}
		return v
	}
	return nil
}

// noConfigFile is the error for a context named with no file to find it in.
func noConfigFile(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return Usagef("context %q: no config file at %s; see rescli config --help", name, pe.Path)
	}
	return Usagef("context %q: %v; see rescli config --help", name, err)
}

// configFile loads the config file; fs.ErrNotExist when there is none.
func (g *Global) configFile() (*config.File, error) {
	path, err := config.Path(g.Getenv)
	if err != nil {
		return nil, err // an fs.ErrNotExist
	}
	return config.Load(path)
}

// ContextServices are the services of the context in use, for commands
// whose --service was not given.
func (g *Global) ContextServices() []string {
	if g.context == nil {
		return nil
	}
	return g.context.services
}

// completeContexts completes context names from the config file.
func completeContexts(g *Global) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		f, err := g.configFile()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, c := range f.Contexts {
			names = append(names, c.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
