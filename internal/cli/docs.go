package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var manDate = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// newDocsCmd builds `rescli docs man|markdown|schemas DIR`, which writes
// the man pages and a Markdown page per command from the command tree
// itself, and the JSON Schemas of the documents from their Go types. The
// copies in docs/ are checked by a test that fails when they drift.
func newDocsCmd(g *Global) *cobra.Command {
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Generate man pages or Markdown docs for every command",
		Hidden: true,
		Args:   cobra.NoArgs,
	}
	gen := func(use, short string, write func(root *cobra.Command, dir string) error) *cobra.Command {
		return &cobra.Command{
			Use: use + " DIR", Short: short, Args: cobra.ExactArgs(1),
			Example: "  rescli docs " + use + " docs/" + use,
			RunE: func(c *cobra.Command, args []string) error {
				if err := os.MkdirAll(args[0], 0o755); err != nil {
					return fmt.Errorf("create %s: %w", args[0], err)
				}
				root := c.Root()
				root.DisableAutoGenTag = true
				return write(root, args[0])
			},
		}
	}
	cmd.AddCommand(
		gen("man", "Write a man page per command (section 1)", func(root *cobra.Command, dir string) error {
			date := manDate // fixed, so the generated pages do not drift by the day
			return doc.GenManTree(root, &doc.GenManHeader{Title: "RESCLI", Section: "1", Source: "rescli", Date: &date}, dir)
		}),
		gen("markdown", "Write a Markdown page per command", doc.GenMarkdownTree),
		gen("schemas", "Write the JSON Schema of every document rescli prints with -o json", func(_ *cobra.Command, dir string) error {
			return writeSchemas(dir)
		}),
	)
	return cmd
}
