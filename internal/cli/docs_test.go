package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The man pages, Markdown pages and shell completions in the repository are
// generated from the command tree; this fails when they drift. Regenerate
// with scripts/gen-docs.sh.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	for _, kind := range []string{"man", "markdown", "schemas"} {
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

// The README's command table, flag tables and command lines match the
// command tree: every command a user runs is named, every flag a table
// lists exists on the command its section is about, and every rescli line
// in a code block parses.
func TestREADMEMatchesTheCommandTree(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	root := NewRootCmd(&Global{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }})
	for _, c := range leafCommands(root) {
		if c.Hidden || c.Parent().Hidden || strings.HasPrefix(c.CommandPath(), "rescli completion") || c.Name() == "version" {
			continue
		}
		name := strings.TrimPrefix(c.CommandPath(), "rescli ")
		if !strings.Contains(readme, "rescli "+name) {
			t.Errorf("README never names %s", c.CommandPath())
		}
	}
	section := root
	inCode := false
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for inCode && strings.HasSuffix(line, `\`) && i+1 < len(lines) { // a command continued on the next line
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
		}
		switch {
		case strings.HasPrefix(line, "```"):
			inCode = !inCode
		case strings.HasPrefix(line, "### `rescli "):
			path := strings.Fields(strings.Trim(strings.SplitN(line, "`", 3)[1], " "))
			if c, _, err := root.Find(path[1:]); err == nil {
				section = c
			} else {
				t.Errorf("README:%d: section about %v, no such command", i+1, path)
			}
		case strings.HasPrefix(line, "## "):
			section = root
		case strings.HasPrefix(line, "| `--"):
			flag := strings.TrimPrefix(strings.Fields(strings.Trim(strings.SplitN(line, "`", 3)[1], " "))[0], "--")
			if section.Flags().Lookup(flag) == nil && section.InheritedFlags().Lookup(flag) == nil && section.PersistentFlags().Lookup(flag) == nil {
				t.Errorf("README:%d: --%s is not a flag of %s", i+1, flag, section.CommandPath())
			}
		case inCode && (strings.Contains(line, "rescli ") && !strings.HasPrefix(strings.TrimSpace(line), "#")):
			args := exampleArgs(strings.TrimPrefix(strings.TrimSpace(line), "$ "))
			if args == nil {
				continue // not a rescli command line (go build, curl, redis-server...)
			}
			fresh := NewRootCmd(&Global{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }})
			cmd, rest, err := fresh.Find(args)
			if err == nil {
				err = cmd.ParseFlags(rest)
			}
			if err == nil && cmd.Args != nil {
				err = cmd.Args(cmd, cmd.Flags().Args())
			}
			if err != nil {
				t.Errorf("README:%d: %q: %v", i+1, line, err)
			}
		}
	}
}
