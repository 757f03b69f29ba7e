package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/config"
	"github.com/rescli/rescli/internal/redact"
)

// NewConfigCmd builds `rescli config`: the contexts of the config file.
func NewConfigCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "List, show and pick the contexts of rescli's config file",
		Long: `A context names a Redis target, the services that use it, the hosts chaos faults
may touch there, and where its admin token is read from. --context NAME (env
RESCLI_CONTEXT) picks one for any command; without it the file's current-context
is used. Explicit flags always win; a context named with --context also wins over
REDIS_URL, RESCLI_ADMIN_TOKEN and RESCLI_CHAOS_ALLOW, current-context yields to them.

The file is $XDG_CONFIG_HOME/rescli/config.yaml, else ~/.config/rescli/config.yaml:

  current-context: staging
  contexts:
    - name: staging
      url: redis+sentinel://s1:26379,s2:26379/mymaster   # no password here
      services: [http://10.0.0.5:8080, http://10.0.0.6:8080]
      allow: ["*.staging.internal"]                      # chaos inject / chaos run
      token_env: STAGING_ADMIN_TOKEN                     # or token_file: PATH
    - name: prod-eu
      url_env: PROD_EU_REDIS_URL                         # a URL with a password: from a variable
      token_file: ~/.config/rescli/prod-eu.token         # or a file (relative: to this file)

No secret is stored in the file: a token: field, a password: field or a url with a
password is refused. Nothing here ever prints a token or a password.`,
		Example: `  rescli config list
  rescli config show staging
  rescli config use prod-eu
  rescli --context staging watch`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newConfigListCmd(g), newConfigShowCmd(g), newConfigUseCmd(g), newConfigPathCmd(g))
	return cmd
}

func newConfigListCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Args: cobra.NoArgs,
		Short:   "List the contexts, the current one marked",
		Example: "  rescli config list\n  rescli config list -o json",
		RunE: func(*cobra.Command, []string) error {
			f, err := loadConfig(g)
			if err != nil {
				return err
			}
			return printConfig(g, f, f.Contexts)
		},
	}, schemaConfig)
}

func newConfigShowCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use: "show [NAME]", Args: cobra.MaximumNArgs(1), ValidArgsFunction: completeContextArg(g),
		Short:   "Show one context (the current one by default), secrets redacted",
		Example: "  rescli config show\n  rescli config show staging -o json",
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := loadConfig(g)
			if err != nil {
				return err
			}
			name := f.CurrentContext
			if len(args) == 1 {
				name = args[0]
			}
			if name == "" {
				return Usagef("no current context in %s: name one (rescli config show NAME) or set one (rescli config use NAME)", f.Path())
			}
			c, err := f.Find(name)
			if err != nil {
				return Usagef("%v", err)
			}
			return printConfig(g, f, []config.Context{*c})
		},
	}, schemaConfig)
}

func newConfigUseCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use: "use NAME", Args: cobra.ExactArgs(1), ValidArgsFunction: completeContextArg(g),
		Short:   "Make a context the current one (current-context in the file)",
		Example: "  rescli config use prod-eu",
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := config.Path(g.Getenv)
			if err != nil {
				return Usagef("%v", err)
			}
			f, err := config.SetCurrent(path, args[0])
			if errors.Is(err, fs.ErrNotExist) {
				return Usagef("no config file at %s: write one first (rescli config --help shows the format)", path)
			}
			if err != nil {
				return Usagef("%v", err)
			}
			if !g.JSON() {
				fprintln(g.IO.Out, fmt.Sprintf("current context: %s (%s)", args[0], path))
				return nil
			}
			c, _ := f.Find(args[0])
			return printConfig(g, f, []config.Context{*c})
		},
	}, schemaConfig)
}

func newConfigPathCmd(g *Global) *cobra.Command {
	return jsonDocument(&cobra.Command{
		Use: "path", Args: cobra.NoArgs,
		Short:   "Print where the config file is read from",
		Example: "  rescli config path",
		RunE: func(*cobra.Command, []string) error {
			path, err := config.Path(g.Getenv)
			if err != nil {
				return Usagef("%v", err)
			}
			if g.JSON() {
				return printJSON(g.IO.Out, schemaConfig, configDoc{Path: path})
			}
			fprintln(g.IO.Out, path)
			return nil
		},
	}, schemaConfig)
}

func loadConfig(g *Global) (*config.File, error) {
	f, err := g.configFile()
	if errors.Is(err, fs.ErrNotExist) {
		path, perr := config.Path(g.Getenv)
		if perr != nil {
			return nil, Usagef("%v: set one, or HOME (rescli config --help shows the file's format)", perr)
		}
		return nil, Usagef("no config file at %s: write one (rescli config --help shows the format)", path)
	}
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return f, nil
}

func completeContextArg(g *Global) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, s string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completeContexts(g)(c, args, s)
	}
}

// configDoc is `rescli config -o json`: the file's path, its current
// context and the contexts asked for, redacted.
type configDoc struct {
	Path           string        `json:"path"`
	CurrentContext string        `json:"current_context,omitempty"`
	Contexts       []contextView `json:"contexts,omitempty"`
}

// contextView is a context as rescli shows it: where each secret comes
// from, never the secret.
type contextView struct {
	Name     string   `json:"name"`
	Current  bool     `json:"current"`
	Target   string   `json:"target"` // redacted
	Services []string `json:"services"`
	Allow    []string `json:"allow"`
	Token    string   `json:"token"` // where it is read from
}

func viewContext(f *config.File, c *config.Context, getenv func(string) string) contextView {
	v := contextView{Name: c.Name, Current: c.Name == f.CurrentContext, Services: []string{}, Allow: append([]string{}, c.Allow...),
		Token: f.TokenSource(c, getenv)}
	for _, s := range c.Services {
		v.Services = append(v.Services, redact.URL(s))
	}
	url, err := f.RedisURL(c, getenv)
	switch {
	case err != nil && c.URLEnv != "":
		v.Target = "env " + c.URLEnv + " (not set)"
	case err != nil:
		v.Target = "file " + c.URLFile + " (unreadable)"
	case url == "":
		v.Target = "none (REDIS_URL or --redis-url)"
	case c.URLEnv != "":
		v.Target = redact.URL(url) + " (env " + c.URLEnv + ")"
	case c.URLFile != "":
		v.Target = redact.URL(url) + " (file " + c.URLFile + ")"
	default:
		v.Target = redact.URL(url)
	}
	return v
}

func printConfig(g *Global, f *config.File, cs []config.Context) error {
	doc := configDoc{Path: f.Path(), CurrentContext: f.CurrentContext}
	for i := range cs {
		doc.Contexts = append(doc.Contexts, viewContext(f, &cs[i], g.Getenv))
	}
	if g.JSON() {
		return printJSON(g.IO.Out, schemaConfig, doc)
	}
	if len(doc.Contexts) == 0 {
		fprintln(g.IO.Out, "no contexts in "+f.Path())
		return nil
	}
	t := newTable(g.IO.Out, "current", "name", "target", "services", "allow", "token")
	for _, v := range doc.Contexts {
		mark := ""
		if v.Current {
			mark = "*"
		}
		if err := t.Append([]string{mark, v.Name, v.Target, strings.Join(v.Services, " "), strings.Join(v.Allow, " "), v.Token}); err != nil {
			return err
		}
	}
	return t.Render()
}
