package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/verify"
)

// registerCompletions adds shell completion of enum flag values and
// arguments across the tree (cobra adds `rescli completion bash|zsh|fish|
// powershell` itself). Kept in one place so each command file stays about
// its command.
func registerCompletions(root *cobra.Command) {
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
