package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rescli/rescli/internal/redistest"
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
//
// TEST_REDIS_URL points at a real redis-server shared by the scripts; they
// must not change its configuration. TEST_REDIS_URL_SCRATCH is another that
// only chaos_inject.txtar uses (it changes the server's config).
func TestScripts(t *testing.T) {
	srv, scratch := redistest.Start(t), redistest.Start(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			env.Setenv("TEST_REDIS_URL", srv.URL())
			env.Setenv("TEST_REDIS_URL_SCRATCH", scratch.URL())
			return nil
		},
	})
}
