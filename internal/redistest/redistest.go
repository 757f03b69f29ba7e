// Package redistest starts real redis-server processes on free loopback ports
// for tests, and lets a test stop, kill -9, pause (SIGSTOP), resume and
// restart them on the same port. Every package's tests that need Redis use it.
//
// When redis-server is not installed the calling test is skipped with a clear
// message, unless RESCLI_REQUIRE_REDIS=1 (CI sets it), in which case it fails.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// T is what the helpers need of a test: testing.TB has it, and rescli dev
// provides its own to start deployments for users.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
	TempDir() string
}

// EnvRequire names the variable that turns a missing redis-server into a
// test failure instead of a skip.
const EnvRequire = "RESCLI_REQUIRE_REDIS"

// Server is one redis-server process owned by a test.
type Server struct {
	t    T
	bin  string
	dir  string
	args []string

	// Addr is host:port on 127.0.0.1; it stays the same across Restart.
	Addr string
	Port int
	// Password is the --requirepass given to Start, used by Client and Info.
	Password string

	// conf, when set, is a config file the process starts from instead of
	// the flags below (Sentinels: their config must be a writable file).
	conf string
	argv []string // the last command line started

	mu     sync.Mutex
	cmd    *exec.Cmd
	exit   chan struct{} // closed when cmd has exited and been reaped
	paused bool
}

// Binary returns the path of redis-server, or skips/fails t when it is
// missing.
func Binary(t T) string {
	t.Helper()
	return lookup(t, "redis-server")
}

func lookup(t T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found in PATH; install it (apt-get install redis-server redis-tools) to run this test", name)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s (%s=1)", msg, EnvRequire)
	}
	t.Skip(msg)
	return ""
}

// Start launches redis-server on a free loopback port with persistence off
// and DEBUG enabled for local clients. extra are more config directives in
// command-line form, e.g. "--maxclients", "10". The server is killed when the
// test ends.
func Start(t T, extra ...string) *Server {
	t.Helper()
	s := &Server{t: t, bin: Binary(t), dir: t.TempDir(), args: extra}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			s.Password = extra[i+1]
		}
	}
	t.Cleanup(s.cleanup)
	var lastErr error
	for range 5 { // a freed port can be taken again before we bind it
		port, err := FreePort()
		if err != nil {
			t.Fatalf("find free port: %v", err)
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start() error {
	args := []string{
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--enable-debug-command", "local",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"),
		"--daemonize", "no", "--protected-mode", "no",
	}
	args = append(args, s.args...)
	if s.conf != "" {
		args = append([]string{s.conf}, s.args...)
	}
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	s.mu.Lock()
	s.cmd, s.exit, s.paused, s.argv = cmd, exit, false, append([]string{s.bin}, args...)
	s.mu.Unlock()
	if err := s.waitReady(10 * time.Second); err != nil {
		s.Kill()
		return fmt.Errorf("%w; log: %s", err, s.LogTail())
	}
	return nil
}

func (s *Server) waitReady(limit time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, Protocol: 2})
	defer c.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		var reply redis.Error
		if err == nil || errors.As(err, &reply) { // NOAUTH still means it is up
			return nil
		}
		if s.exited() {
			return errors.New("redis-server exited during start-up")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s not ready after %s: %w", s.Addr, limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) exited() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return true
	}
	select {
	case <-s.exit: // a signal 0 would still reach an unreaped zombie
		return true
	default:
		return false
	}
}

// URL returns redis://127.0.0.1:port.
func (s *Server) URL() string { return "redis://" + s.Addr }

// LogTail returns the last lines of the server's log file.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}
