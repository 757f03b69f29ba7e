// Package cli builds rescli's cobra command tree: the global flags, the
// mapping from errors to exit codes, and one file per command.
package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/config"
)

// IOStreams are the streams a command reads and writes; tests inject them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Global holds the flags every command shares.
type Global struct {
	RedisURL string
	Output   string
	NoColor  bool
	Verbose  bool
	// ContextName is --context: a context of the config file (context.go).
	ContextName string
	IO          IOStreams
	// Getenv reads the environment; once a context is in use it also
	// answers REDIS_URL, RESCLI_ADMIN_TOKEN and RESCLI_CHAOS_ALLOW from it.
	Getenv func(string) string

	config  *config.File   // the config file, when there is one
	context *activeContext // the context in use, if any
}

// JSON reports whether -o json was asked for.
func (g *Global) JSON() bool { return g.Output == "json" }

// Color reports whether output may use colour (no --no-color, no NO_COLOR).
func (g *Global) Color() bool { return !g.NoColor && g.Getenv("NO_COLOR") == "" }

// Main runs rescli with args and returns the process exit code.
func Main(args []string, streams IOStreams, getenv func(string) string) int {
	g := &Global{IO: streams, Getenv: getenv}
	root := NewRootCmd(g)
	root.SetArgs(args)
	err := root.Execute()
	if err != nil {
		PrintError(streams.ErrOut, err)
	}
	return ExitCode(err)
}

// NewRootCmd builds the command tree around g.
func NewRootCmd(g *Global) *cobra.Command {
	root := &cobra.Command{
		Use: "rescli",
		Example: `  rescli herd --services 40
  rescli watch --redis-url redis://127.0.0.1:6379 --chaos
  rescli verify --redis-url redis://staging-redis:6379 --junit verify.xml`,
		Short: "Reproduce, inject and watch Redis resilience problems",
		Long: `rescli reproduces a thundering-herd start-up against Redis, injects Redis faults,
watches circuit breakers recover, reads health reports from running services and
gates deploys on resilience checks.

Exit codes: 0 ok, 1 a check or verification failed, 2 usage or connection error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.Output != "table" && g.Output != "json" {
				return usageError(cmd, fmt.Errorf("invalid --output %q: want table or json", g.Output))
			}
			if err := checkOutput(cmd, g); err != nil {
				return err
			}
			if err := g.useContext(cmd); err != nil {
				return err
			}
			if g.RedisURL == "" {
				g.RedisURL = g.Getenv(envRedisURL)
			}
			setupLogging(g)
			return nil
		},
	}
	root.SetIn(g.IO.In)
	root.SetOut(g.IO.Out)
	root.SetErr(g.IO.ErrOut)

	f := root.PersistentFlags()
	// Env values are applied after parsing, never as flag defaults: a
	// default is printed by --help, and REDIS_URL may hold a password.
	f.StringVar(&g.RedisURL, "redis-url", "", "Redis target: redis://[user:password@]host:6379[/db], rediss:// for TLS, redis+sentinel://[:sentinelpass@]s1:26379,s2/master?password=p, redis+cluster://n1:7000,n2:7001 (env REDIS_URL)")
	f.StringVarP(&g.Output, "output", "o", "table", "output format: table or json")
	f.BoolVar(&g.NoColor, "no-color", false, "disable colour (also when NO_COLOR is set)")
	f.BoolVarP(&g.Verbose, "verbose", "v", false, "verbose diagnostics on stderr")
	f.StringVar(&g.ContextName, "context", "", "context of the config file to use: its target, services, chaos allow-list and token (env "+envContext+"; default: the file's current-context; see rescli config)")
	_ = root.RegisterFlagCompletionFunc("context", completeContexts(g))

	root.AddCommand(NewVersionCmd(g))
	root.AddCommand(NewChaosCmd(g))
	root.AddCommand(NewHerdCmd(g))
	root.AddCommand(NewVerifyCmd(g))
	root.AddCommand(NewServeCmd(g))
	root.AddCommand(NewHealthCmd(g))
	root.AddCommand(NewWatchCmd(g))
	root.AddCommand(NewDevCmd(g))
	root.AddCommand(NewConfigCmd(g))
	root.AddCommand(newDocsCmd(g))
	registerCompletions(root, g)
	withExamples(root)
	return root
}

func fprintln(w io.Writer, a ...any) { _, _ = fmt.Fprintln(w, a...) }
