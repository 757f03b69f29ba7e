package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// injectProc is a real `rescli chaos inject` process (the test binary under
// that name, which testscript puts on PATH).
type injectProc struct {
	cmd  *exec.Cmd
	out  *serveOutput
	done chan struct{}
}

// startInject runs `rescli chaos inject ARGS --allow 127.0.0.1 --yes`
// against url with its journal under state.
func startInject(t *testing.T, state, url string, args ...string) *injectProc {
	t.Helper()
	bin, err := exec.LookPath("rescli")
	if err != nil {
		t.Skipf("rescli not on PATH: %v", err)
	}
	argv := append([]string{"chaos", "inject"}, args...)
	argv = append(argv, "--redis-url", url, "--allow", "127.0.0.1", "--yes")
	p := &injectProc{cmd: exec.Command(bin, argv...), out: &serveOutput{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "RESCLI_STATE_DIR="+state)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start rescli chaos inject: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); <-p.done })
	return p
}

// exit waits for the process and returns its exit code (-1 when a signal
// killed it).
func (p *injectProc) exit(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		t.Fatalf("rescli chaos inject still running after %v; output:\n%s", limit, p.out)
		return 0
	}
}

// signal sends sig and waits for the exit code.
func (p *injectProc) signal(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	return p.exit(t, 20*time.Second)
}

func maxclients(t *testing.T, c *redis.Client) string {
	t.Helper()
	return c.ConfigGet(context.Background(), "maxclients").Val()["maxclients"]
}

func journalFiles(t *testing.T, state string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(state, "chaos-journal", "*.json"))
	return files
}

// Each terminating signal ends an inject after it restored the server, with
// exit 128+signal: SIGHUP used to leave the fault on, SIGINT to exit 0.
func TestInjectRevertsOnEverySignal(t *testing.T) {
	srv := redistest.Start(t)
	admin := srv.Client()
	for _, tc := range []struct {
		sig  syscall.Signal
		exit int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}, {syscall.SIGQUIT, 131}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Cleanup(func() { admin.ConfigSet(context.Background(), "maxclients", "10000") })
			state := t.TempDir()
			p := startInject(t, state, srv.URL(), "maxclients", "77", "--duration", "1h")
			waitUntil(t, "maxclients 77", func() bool { return maxclients(t, admin) == "77" })
			if code := p.signal(t, tc.sig); code != tc.exit {
				t.Errorf("exit after %v = %d, want %d; output:\n%s", tc.sig, code, tc.exit, p.out)
			}
			if got := maxclients(t, admin); got != "10000" {
				t.Fatalf("maxclients after %v = %s, want 10000; output:\n%s", tc.sig, got, p.out)
			}
			if files := journalFiles(t, state); len(files) != 0 {
				t.Fatalf("journal left after a clean revert: %v", files)
			}
			if !strings.Contains(p.out.String(), "reverted: CONFIG SET maxclients 10000") {
				t.Errorf("output does not say it reverted:\n%s", p.out)
			}
		})
	}
}

// Two injects on one setting, one or both killed with kill -9: the one left
// ends with the killed one's value still set (that fault is still on), and
// `chaos revert` brings back the original, never a value a fault set.
func TestOverlappingInjectsAndKill9ThenRevert(t *testing.T) {
	srv := redistest.Start(t)
	admin := srv.Client()
	for _, tc := range []struct {
		name      string
		killed    []int  // which of the two get kill -9
		afterLive string // maxclients after the survivor ended
	}{
		{"both killed", []int{0, 1}, "60"},
		{"older killed", []int{0}, "50"},
		{"newer killed", []int{1}, "60"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { admin.ConfigSet(context.Background(), "maxclients", "10000") })
			state := t.TempDir()
			var procs []*injectProc
			for _, v := range []string{"50", "60"} {
				procs = append(procs, startInject(t, state, srv.URL(), "maxclients", v, "--duration", "1h"))
				waitUntil(t, "maxclients "+v, func() bool { return maxclients(t, admin) == v })
			}
			killed := map[int]bool{}
			for _, i := range tc.killed {
				_ = procs[i].cmd.Process.Kill()
				procs[i].exit(t, 10*time.Second)
				killed[i] = true
			}
			for i, p := range procs {
				if !killed[i] {
					if code := p.signal(t, syscall.SIGTERM); code != 143 {
						t.Fatalf("survivor exit %d; output:\n%s", code, p.out)
					}
				}
			}
			if got := maxclients(t, admin); got != tc.afterLive {
				t.Fatalf("maxclients with only killed faults left = %s, want %s", got, tc.afterLive)
			}
			out, code := runRescliEnv(t, []string{"RESCLI_STATE_DIR=" + state}, "chaos", "revert")
			if code != 0 {
				t.Fatalf("chaos revert exit %d:\n%s", code, out)
			}
			if got := maxclients(t, admin); got != "10000" {
				t.Fatalf("maxclients after chaos revert = %s, want the original 10000\n%s", got, out)
			}
			if files := journalFiles(t, state); len(files) != 0 {
				t.Fatalf("journal left after chaos revert: %v", files)
			}
		})
	}
}

// A 30 s pause all ends within about a second of SIGTERM; after a kill -9,
// `chaos revert` finds it over (or ends it) at once instead of timing out.
func TestPauseAllEndsOnSIGTERMAndAfterKill9(t *testing.T) {
	srv := redistest.Start(t)
	ping := func() error {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Protocol: 2, ReadTimeout: 200 * time.Millisecond})
		defer c.Close()
		return c.Ping(context.Background()).Err()
	}
	t.Run("SIGTERM", func(t *testing.T) {
		p := startInject(t, t.TempDir(), srv.URL(), "pause", "all", "--duration", "30s")
		waitUntil(t, "the pause", func() bool { return ping() != nil })
		start := time.Now()
		if code := p.signal(t, syscall.SIGTERM); code != 143 {
			t.Errorf("exit %d, want 143; output:\n%s", code, p.out)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("SIGTERM took %v to end a pause all, want about a second", took)
		}
		if err := ping(); err != nil {
			t.Fatalf("PING after the revert: %v", err)
		}
	})
	t.Run("kill -9 then revert", func(t *testing.T) {
		state := t.TempDir()
		p := startInject(t, state, srv.URL(), "pause", "all", "--duration", "30s")
		waitUntil(t, "the pause", func() bool { return ping() != nil && len(journalFiles(t, state)) == 1 })
		_ = p.cmd.Process.Kill()
		p.exit(t, 10*time.Second)
		start := time.Now()
		out, code := runRescliEnv(t, []string{"RESCLI_STATE_DIR=" + state}, "chaos", "revert")
		if code != 0 {
			t.Fatalf("chaos revert exit %d:\n%s", code, out)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("chaos revert took %v after a kill -9 of a pause all", took)
		}
		if err := ping(); err != nil {
			t.Fatalf("PING after chaos revert: %v\n%s", err, out)
		}
	})
}

// runRescliEnv runs the rescli binary with extra environment and returns
// its combined output and exit code.
func runRescliEnv(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("rescli", args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run rescli: %v", err)
	}
	return string(out), 0
}
