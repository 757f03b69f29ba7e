package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// The output contract every command keeps (README "Global flags and exit
// codes"); TestEveryCommandKeepsTheContract walks the tree to hold it:
//
//   - A command that prints JSON says so with jsonDocument or jsonStream
//     (its schema, from output.go); -o json on any other is a usage error.
//   - A wrong flag or argument is one line on stderr that names what is
//     wrong and shows the command's first example, exit 2.

// Annotation keys of the contract.
const (
	annotJSON   = "rescli/json"   // "document" or "stream" (NDJSON)
	annotSchema = "rescli/schema" // the schema of what -o json prints
)

// jsonDocument marks cmd as printing one JSON document of schema with -o json.
func jsonDocument(cmd *cobra.Command, schema string) *cobra.Command {
	return jsonOutput(cmd, "document", schema)
}

// jsonStream marks cmd as printing NDJSON, one document of schema a line.
func jsonStream(cmd *cobra.Command, schema string) *cobra.Command {
	return jsonOutput(cmd, "stream", schema)
}

func jsonOutput(cmd *cobra.Command, kind, schema string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotJSON], cmd.Annotations[annotSchema] = kind, schema
	return cmd
}

// checkOutput refuses -o json for a command that has no JSON output.
func checkOutput(cmd *cobra.Command, g *Global) error {
	if !g.JSON() || cmd.Annotations[annotJSON] != "" {
		return nil
	}
	return usageError(cmd, fmt.Errorf("%s has no JSON output: drop -o json", commandName(cmd)))
}

// withExamples makes every argument error of the tree, and every flag error,
// one line naming the problem and showing the command's first example.
func withExamples(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := check(cmd, args); err != nil {
					return usageError(cmd, fmt.Errorf("%s: %s (usage: %s)", commandName(cmd), argProblem(cmd, args, err), strings.TrimSuffix(cmd.UseLine(), " [flags]")))
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if cmd.HasParent() {
			err = fmt.Errorf("%s: %w", commandName(cmd), err)
		}
		return usageError(cmd, err)
	})
}

// usageError is err as a UsageError that ends with cmd's first example.
func usageError(cmd *cobra.Command, err error) error {
	if ex := firstExample(cmd); ex != "" {
		err = fmt.Errorf("%w; e.g. %s", err, ex)
	}
	return &UsageError{Err: err}
}

// firstExample is the first line of cmd's examples, without its indent
// and any continuation.
func firstExample(cmd *cobra.Command) string {
	line, _, _ := strings.Cut(strings.TrimSpace(cmd.Example), "\n")
	line = strings.TrimSuffix(strings.TrimSpace(line), `\`)
	if i := strings.Index(line, "  #"); i > 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// commandName is cmd's path without the program's name ("chaos run").
func commandName(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// argProblem says what is wrong with args in words: the argument that is
// missing, as the command's usage names it, or that there are too many.
func argProblem(cmd *cobra.Command, args []string, err error) string {
	var want []string // the required placeholders of Use: not optional, not a flag's value
	depth, flagValue := 0, false
	for _, w := range strings.Fields(cmd.Use)[1:] {
		top := depth == 0 && !strings.HasPrefix(w, "[")
		depth += strings.Count(w, "[") - strings.Count(w, "]")
		switch {
		case !top:
		case strings.HasPrefix(w, "-"):
			flagValue = true
			continue
		case !flagValue:
			want = append(want, w)
		}
		flagValue = false
	}
	switch {
	case len(args) < len(want):
		return "missing " + strings.Join(want[len(args):], " ")
	case len(strings.Fields(cmd.Use)) == 1 && len(args) > 0:
		return fmt.Sprintf("takes no arguments, got %q", args[0])
	}
	return err.Error()
}
