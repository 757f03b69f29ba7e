package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the `rescli` command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rescli": func() {
			os.Exit(Main(os.Args[1:], IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Getenv))
		},
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: help text,
// exit codes, stdout vs stderr, JSON output, redaction.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}
