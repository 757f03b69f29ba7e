package cli

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/config"
)

// Variables a context stands in for, and the one that names a context.
const (
	envContext   = "RESCLI_CONTEXT"
	envRedisURL  = "REDIS_URL"
	envChaosAllw = "RESCLI_CHAOS_ALLOW"
)

// skipContext are the commands that never use a context: they work
// whatever the config file holds (config reads it itself).
var skipContext = map[string]bool{"config": true, "version": true, "docs": true, "completion": true, "help": true}

// activeContext is the context a command runs in, once resolved.
type activeContext struct {
	name     string
	explicit bool // named by --context or RESCLI_CONTEXT, not current-context
	services []string
	// env are the values the context gives REDIS_URL, RESCLI_ADMIN_TOKEN
	// and RESCLI_CHAOS_ALLOW.
	env map[string]string
}

// useContext finds the context the command runs in (--context, else
// RESCLI_CONTEXT, else the file's current-context) and makes it supply the
// settings it holds. Explicit flags always win. A context named by
// --context or RESCLI_CONTEXT also wins over REDIS_URL, RESCLI_ADMIN_TOKEN
// and RESCLI_CHAOS_ALLOW; the file's current-context yields to them.
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
	ac, err := resolveContext(f, name, g.Getenv)
	if err != nil {
		return err
	}
	ac.explicit = explicit
	g.context = ac
	env := g.Getenv
	g.Getenv = func(k string) string {
		v := ac.env[k]
		if v == "" || (!ac.explicit && env(k) != "") {
			return env(k)
		}
		return v
	}
	return nil
}

// resolveContext reads what the context named name stands for: its URL
// and token are read from their variable or file now.
func resolveContext(f *config.File, name string, getenv func(string) string) (*activeContext, error) {
	c, err := f.Find(name)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	url, err := f.RedisURL(c, getenv)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	token, err := f.Token(c, getenv)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return &activeContext{name: name, services: c.Services, env: map[string]string{
		envRedisURL: url, envAdminToken: token, envChaosAllw: strings.Join(c.Allow, ","),
	}}, nil
}

// noConfigFile is the error for a context named with no file to find it in.
func noConfigFile(name string, err error) error {
	return Usagef("context %q: no config file (%v); see rescli config --help", name, err)
}

// configFile loads the config file; fs.ErrNotExist when there is none.
func (g *Global) configFile() (*config.File, error) {
	path, err := config.Path(g.Getenv)
	if err != nil {
		return nil, errors.Join(fs.ErrNotExist, err)
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
