package cli

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/verify"
)

// registerCompletions adds shell completion of enum flag values and
// arguments across the tree (cobra adds `rescli completion bash|zsh|fish|
// powershell` itself). Kept in one place so each command file stays about
// its command.
func registerCompletions(root *cobra.Command, g *Global) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = root.RegisterFlagCompletionFunc("output", fixed("table", "json"))
	var checks []string
	for _, c := range verify.Checks() {
		checks = append(checks, c.Name)
	}
	for path, flags := range map[string]map[string]cobra.CompletionFunc{
		"herd":         {"strategy": fixed(herd.StrategyNames()...), "backoff": fixed(herd.BackoffNames()...)},
		"herd backoff": {"policy": fixed(herd.BackoffNames()...)},
		"verify":       {"checks": fixed(checks...), "skip": fixed(checks...), "role": fixed("cache", "store")},
	} {
		cmd, _, err := root.Find(strings.Fields(path))
		if err != nil || cmd == root {
			continue
		}
		for flag, fn := range flags {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn)
		}
	}
	registerChaosAPICompletions(root, g)
	if cmd, _, err := root.Find([]string{"chaos", "inject"}); err == nil && cmd.Name() == "inject" {
		cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return inject.Faults(), cobra.ShellCompDirectiveNoFileComp
			}
			if args[0] == "pause" && len(args) == 1 {
				return []string{"write", "all"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
	}
}

// registerChaosAPICompletions completes proxy names (the first argument of
// `chaos toxic add|update|rm|ls`), toxic names (-n) and fault types (-t)
// from the running control API named by --api / RESCLI_CHAOS_API, sending
// the token in RESCLI_CHAOS_API_TOKEN. An API that does not answer within a
// second completes nothing.
func registerChaosAPICompletions(root *cobra.Command, g *Global) {
	proxies := func(cmd *cobra.Command) []chaos.ProxyJSON {
		api, _ := cmd.Flags().GetString("api")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		ps, err := chaosClient(g, api, &http.Client{Timeout: time.Second}).Proxies(ctx)
		if err != nil {
			return nil
		}
		return ps
	}
	for _, name := range []string{"add", "update", "rm", "ls"} {
		cmd, _, err := root.Find([]string{"chaos", "toxic", name})
		if err != nil || cmd.Name() != name {
			continue
		}
		cmd.ValidArgsFunction = func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, p := range proxies(c) {
				names = append(names, p.Name)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		}
		if cmd.Flags().Lookup("name") != nil && name != "add" {
			_ = cmd.RegisterFlagCompletionFunc("name", func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
				var names []string
				for _, p := range proxies(c) {
					if len(args) == 0 || p.Name == args[0] {
						for _, t := range p.Toxics {
							names = append(names, t.Name)
						}
					}
				}
				return names, cobra.ShellCompDirectiveNoFileComp
			})
		}
		if cmd.Flags().Lookup("type") != nil {
			_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(chaos.Types(), cobra.ShellCompDirectiveNoFileComp))
		}
	}
}
