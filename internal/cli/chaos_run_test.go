package cli

import (
	"encoding/xml"
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

// A game day in CI publishes its result as verify does: --junit writes the
// hypothesis checks and the steps as test cases and the timeline as output;
// GITHUB_STEP_SUMMARY gets the verdict, the steps and the timeline.
func TestChaosRunWritesJUnitAndAStepSummary(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	file, xmlFile, summary := filepath.Join(dir, "s.yaml"), filepath.Join(dir, "run.xml"), filepath.Join(dir, "summary.md")
	if err := os.WriteFile(file, []byte(matrixScenarioFile), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, map[string]string{"GITHUB_STEP_SUMMARY": summary, "RESCLI_STATE_DIR": dir},
		"chaos", "run", file, "--redis-url", srv.URL(), "--junit", xmlFile)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	raw, err := os.ReadFile(xmlFile)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Tests     int    `xml:"tests,attr"`
			Failures  int    `xml:"failures,attr"`
			SystemOut string `xml:"system-out"`
			Cases     []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &suites); err != nil || len(suites.Suites) != 1 {
		t.Fatalf("JUnit does not parse: %v\n%s", err, raw)
	}
	s := suites.Suites[0]
	var names []string
	for _, c := range s.Cases {
		names = append(names, c.Name)
	}
	joined := strings.Join(names, "|")
	// 2 probes before and after, 2 steps, the verdict.
	if s.Tests != 7 || s.Failures != 0 || !strings.Contains(joined, "before: breaker") || !strings.Contains(joined, "$.method[1] server maxclients 500") ||
		!strings.Contains(joined, "verdict") || !strings.Contains(s.SystemOut, "hypothesis held") {
		t.Errorf("suite: %d tests, %d failures, cases %v, output %q", s.Tests, s.Failures, names, s.SystemOut)
	}
	md, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(md), "✓ hypothesis held") || !strings.Contains(string(md), "| $.method[0] | proxy latency | done |") {
		t.Errorf("step summary: %v\n%s", err, md)
	}
}
