package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The man pages, Markdown pages and shell completions in the repository are
// generated from the command tree; this fails when they drift. Regenerate
// with scripts/gen-docs.sh.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	for _, kind := range []string{"man", "markdown"} {
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		code := Main([]string{"docs", kind, dir}, IOStreams{Out: &out, ErrOut: &errOut}, func(string) string { return "" })
		if code != 0 {
			t.Fatalf("rescli docs %s: exit %d: %s", kind, code, errOut.String())
		}
		compareTree(t, dir, filepath.Join("..", "..", "docs", kind))
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out bytes.Buffer
		if code := Main([]string{"completion", shell}, IOStreams{Out: &out, ErrOut: &out}, func(string) string { return "" }); code != 0 {
			t.Fatalf("completion %s: exit %d", shell, code)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "completions", "rescli."+shell))
		if err != nil || !bytes.Equal(want, out.Bytes()) {
			t.Errorf("completions/rescli.%s is not current (%v): run scripts/gen-docs.sh", shell, err)
		}
	}
}

func compareTree(t *testing.T, got, want string) {
	t.Helper()
	gotFiles, _ := filepath.Glob(filepath.Join(got, "*"))
	wantFiles, _ := filepath.Glob(filepath.Join(want, "*"))
	if len(gotFiles) != len(wantFiles) {
		t.Errorf("%s has %d files, the command tree makes %d: run scripts/gen-docs.sh", want, len(wantFiles), len(gotFiles))
	}
	for _, f := range gotFiles {
		g, _ := os.ReadFile(f)
		w, err := os.ReadFile(filepath.Join(want, filepath.Base(f)))
		if err != nil || !bytes.Equal(g, w) {
			t.Errorf("%s is not current: run scripts/gen-docs.sh", filepath.Join(want, strings.TrimPrefix(f, got+"/")))
		}
	}
}

// Every command a user types has runnable examples in its help (cobra's
// own completion commands aside).
func TestEveryCommandHasExamples(t *testing.T) {
	g := &Global{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "rescli completion") {
			return
		}
		if c.Example == "" {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%s has no one-line summary", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(g))
}
