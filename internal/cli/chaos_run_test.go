package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// A scenario holding a server fault (maxclients 50 for 30s) is ended by
// each terminating signal: the rollbacks run, the original maxclients is
// back, the journal is empty, and the process exits 128+signal. SIGHUP and
// SIGQUIT once killed it on the spot, leaving maxclients at 50.
func TestChaosRunRevertsOnEverySignal(t *testing.T) {
	bin, err := exec.LookPath("rescli")
	if err != nil {
		t.Skipf("rescli not on PATH: %v", err)
	}
	srv := redistest.Start(t)
	file := filepath.Join(t.TempDir(), "hold.yaml")
	scenario := `name: hold maxclients
target: ${REDIS_URL}
allow: ["127.0.0.1"]
hypothesis:
  - {probe: breaker, expect: CLOSED, within: 5s}
method:
  - at: 0s
    duration: 30s
    server: {fault: maxclients, args: ["50"]}
`
	if err := os.WriteFile(file, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			state := t.TempDir()
			cmd := exec.Command(bin, "chaos", "run", file, "--redis-url", srv.URL())
			cmd.Env = append(os.Environ(), "RESCLI_STATE_DIR="+state)
			out := &serveOutput{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			defer func() { _ = cmd.Process.Kill() }()

			waitUntil(t, "maxclients 50 applied", func() bool {
				return strings.Contains(out.String(), "CONFIG SET maxclients 50") && srv.Info("maxclients") == "50"
			})
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var exit *exec.ExitError
			select {
			case err := <-done:
				if !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) {
					t.Fatalf("exit = %v, want code %d; output:\n%s", err, 128+int(sig), out)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("rescli chaos run did not end on %s; output:\n%s", sig, out)
			}
			if got := srv.Info("maxclients"); got != "10000" {
				t.Fatalf("maxclients left at %s after %s; output:\n%s", got, sig, out)
			}
			if entries, _ := filepath.Glob(filepath.Join(state, "*", "*.json")); len(entries) != 0 {
				t.Fatalf("journal left: %v", entries)
			}
			if !strings.Contains(out.String(), "rescli: interrupted by") {
				t.Errorf("no interrupted line on stderr:\n%s", out)
			}
		})
	}
}
