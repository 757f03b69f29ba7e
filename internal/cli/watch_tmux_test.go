package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/tui"
)

// watchTmux drives a program in a detached tmux session of a fixed size on
// a private tmux server.
type watchTmux struct {
	t       *testing.T
	bin     string
	sock    string
	session string
}

func newWatchTmux(t *testing.T, width, height int, command string) *watchTmux {
	t.Helper()
	bin, err := exec.LookPath("tmux")
	if err != nil {
		msg := "tmux not found in PATH; install it (apt-get install tmux) to run the real-terminal test"
		if os.Getenv(redistest.EnvRequire) == "1" {
			t.Fatalf("%s (%s=1)", msg, redistest.EnvRequire)
		}
		t.Skip(msg)
	}
	x := &watchTmux{t: t, bin: bin, sock: filepath.Join(t.TempDir(), "tmux.sock"), session: "watch"}
	x.run("new-session", "-d", "-s", x.session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), command)
	t.Cleanup(func() { _ = exec.Command(x.bin, "-S", x.sock, "kill-server").Run() })
	return x
}

func (x *watchTmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command(x.bin, append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is what the terminal shows now.
func (x *watchTmux) screen() string {
	out, err := exec.Command(x.bin, "-S", x.sock, "capture-pane", "-p", "-t", x.session).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(capture-pane: %v: %s)", err, out)
	}
	return string(out)
}

func (x *watchTmux) keys(keys ...string) {
	x.run(append([]string{"send-keys", "-t", x.session}, keys...)...)
}

func (x *watchTmux) waitScreen(what, pattern string) {
	x.t.Helper()
	x.waitScreenText(what, pattern)
}

// waitScreenText waits for pattern on the screen and returns what matched.
func (x *watchTmux) waitScreenText(what, pattern string) string {
	x.t.Helper()
	return watchWait(x.t, what, x.screen, regexp.MustCompile(pattern), 30*time.Second)
}

// watchMenuKey is the digit that picks a fault menu entry.
func watchMenuKey(t *testing.T, id string) string {
	for i, f := range watchFaultMenu {
		if f.opt.ID == id {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("no fault %q in the menu", id)
	return ""
}

// TestWatchTmuxRealTerminal runs `rescli watch --chaos` in a real terminal
// (tmux, 80x24) against a real redis-server: a blackhole fault from the f
// menu opens the breaker and clearing it closes it again; so do killing and
// restarting redis-server; q quits.
func TestWatchTmuxRealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	srv := redistest.Start(t)
	bin := watchBuildRescli(t)
	x := newWatchTmux(t, 80, 24, fmt.Sprintf("%s watch --chaos --redis-url %s --rate 10 --timeout 300ms --open-timeout 1s --max-open-timeout 2s",
		bin, srv.URL()))
	const open, closed = `│\s+OPEN\s+│`, `│\s+CLOSED\s+│`
	x.waitScreen("CLOSED at start", closed)
	x.waitScreen("help bar", `\? help • p pause • / filter • f faults • q quit`)

	// A resize redraws to the new size, the help bar still on the last line
	x.run("resize-window", "-t", x.session, "-x", "60", "-y", "16")
	x.waitScreen("help bar on line 16 of 60x16", `^(?:[^\n]*\n){15}\? help • p pause[^\n]*\n?$`)
	x.run("resize-window", "-t", x.session, "-x", "80", "-y", "24")
	x.waitScreen("help bar on line 24 of 80x24", `^(?:[^\n]*\n){23}\? help • p pause[^\n]*\n?$`)

	// Given a blackhole injected from the fault menu, after confirmation
	x.keys("f")
	x.waitScreen("fault menu", `inject a fault between the probe and Redis`)
	x.keys(watchMenuKey(t, "blackhole"))
	x.waitScreen("confirmation", `Inject "blackhole"`)
	x.keys("y")
	// Then the breaker opens and the fault is shown
	x.waitScreen("OPEN under blackhole", open)
	x.waitScreen("active fault", `faults\s+blackhole`)
	x.waitScreen("transition logged", `\d\d:\d\d:\d\d CLOSED → OPEN after \d+ consecutive failures`)

	// When every fault is cleared, the breaker closes by itself
	x.keys("f")
	x.waitScreen("fault menu", `inject a fault between the probe and Redis`)
	x.keys(watchMenuKey(t, tui.ClearID))
	x.waitScreen("confirmation", `Remove every fault\?`)
	x.keys("y")
	x.waitScreen("faults cleared", `faults\s+none`)
	x.waitScreen("CLOSED after clearing", closed)

	// When redis-server is killed the breaker opens; restarted, it closes
	srv.Kill()
	x.waitScreen("OPEN after kill", open)
	srv.Restart()
	x.waitScreen("CLOSED after restart", closed)

	// q quits: the session ends with the program
	x.keys("q")
	watchWait(t, "session to end", func() string {
		if exec.Command(x.bin, "-S", x.sock, "has-session", "-t", x.session).Run() != nil {
			return "ended"
		}
		return x.screen()
	}, regexp.MustCompile(`^ended$`), 15*time.Second)
}

// TestWatchTmuxVerboseLogs: with -v, go-redis's log lines (a failed dial
// per probe while redis-server is down) show in the screen's log pane, never
// as raw text drawn over it, and nothing is left on the terminal after q.
func TestWatchTmuxVerboseLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	srv := redistest.Start(t)
	bin := watchBuildRescli(t)
	// sh stays the parent so that the terminal can be read after rescli exits
	x := newWatchTmux(t, 80, 24, fmt.Sprintf("%s watch -v --redis-url %s --rate 10 --timeout 300ms --open-timeout 1s --max-open-timeout 2s; echo exit status $?; sleep 60",
		bin, srv.URL()))
	x.waitScreen("CLOSED at start", `│\s+CLOSED\s+│`)

	// When redis-server is killed, the probes' dials fail and go-redis logs them
	srv.Kill()
	x.waitScreen("go-redis line in the log pane", `(?m)^── log, newest first ─+\n\d\d:\d\d:\d\d go-redis: redis: connection pool: failed to dial`)
	x.waitScreen("a failed probe after the first lines", `HALF_OPEN → OPEN`)
	// Then the screen is whole, header first and help bar last, and every
	// go-redis line is one of the pane's
	whole := regexp.MustCompile(`^rescli watch [^\n]*\n(?:[^\n]*\n){22}\? help • p pause[^\n]*\n?$`)
	screen := watchWait(t, "the whole screen", x.screen, whole, 10*time.Second)
	inPane := regexp.MustCompile(`^\d\d:\d\d:\d\d go-redis: `)
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, "go-redis") && !inPane.MatchString(line) {
			t.Errorf("go-redis text outside the log pane: %q; screen:\n%s", line, screen)
		}
	}

	// When q quits, the terminal is as before: no screen, no log line
	x.keys("q")
	after := x.waitScreenText("exit status", `exit status \d+`)
	if after != "exit status 0" {
		t.Errorf("%s, want 0", after)
	}
	if s := x.screen(); strings.Contains(s, "go-redis") || strings.Contains(s, "p pause") {
		t.Errorf("terminal not clean after q:\n%s", s)
	}
}

// TestWatchTmuxSIGTERM: SIGTERM while a fault is injected ends the TUI
// cleanly (exit 0, through the same path as q, which removes every fault).
func TestWatchTmuxSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	bin := watchBuildRescli(t)
	dir := t.TempDir()
	shPID, statusFile := filepath.Join(dir, "sh.pid"), filepath.Join(dir, "status")
	// sh stays the parent so that it can record rescli's exit status
	x := newWatchTmux(t, 80, 24, fmt.Sprintf("echo $$ > %s; REDIS_URL= %s watch --chaos --timeout 300ms; echo $? > %s; sleep 60",
		shPID, bin, statusFile))
	x.waitScreen("CLOSED at start", `│\s+CLOSED\s+│`)
	x.keys("f")
	x.waitScreen("fault menu", `inject a fault between the probe and Redis`)
	x.keys(watchMenuKey(t, "latency"), "y")
	x.waitScreen("active fault", `faults\s+latency`)

	out, err := exec.Command("pgrep", "-P", strings.TrimSpace(readFileString(t, shPID))).Output()
	if err != nil {
		t.Fatalf("find rescli under the shell: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("rescli pid %q: %v", out, err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		b, _ := os.ReadFile(statusFile)
		return string(b)
	}
	watchWait(t, "exit status after SIGTERM", status, regexp.MustCompile(`^\d+\n`), 15*time.Second)
	if got := strings.TrimSpace(status()); got != "0" {
		t.Errorf("exit status after SIGTERM %s, want 0; screen:\n%s", got, x.screen())
	}
}

func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
