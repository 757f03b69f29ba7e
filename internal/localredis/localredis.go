// Package localredis starts real redis-server and redis-sentinel processes
// on free loopback ports — one server, a Cluster or a Sentinel deployment —
// and stops, kills -9, pauses (SIGSTOP), resumes and restarts them on the
// same port. rescli dev runs its deployments with it; internal/redistest
// wraps it for tests. It returns errors and never needs a testing.T, so the
// binary links no test code.
package localredis

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

// ErrNotInstalled is returned when redis-server, redis-sentinel or
// redis-cli is not in PATH; the error names the binary.
var ErrNotInstalled = errors.New("not found in PATH; install it (apt-get install redis-server redis-tools)")

// Server is one redis-server (or redis-sentinel) process.
type Server struct {
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

// LookPath returns the path of a Redis binary, or an error wrapping
// ErrNotInstalled.
func LookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s %w", name, ErrNotInstalled)
	}
	return p, nil
}

// Start launches redis-server on a free loopback port with persistence off
// and DEBUG enabled for local clients, its files (log, cluster config) in
// dir (created if missing). extra are more config directives in command-line
// form, e.g. "--maxclients", "10". The caller kills it (Kill or Stop).
func Start(dir string, extra ...string) (*Server, error) {
	s, err := newServer(dir, extra)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			s.Password = extra[i+1]
		}
	}
	var lastErr error
	for range 5 { // a freed port can be taken again before we bind it
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("start redis-server: %w", lastErr)
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
		if s.Exited() {
			return errors.New("redis-server exited during start-up")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s not ready after %s: %w", s.Addr, limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Exited reports whether the process is not running: never started, killed
// through this Server, or dead on its own (kill-node, a crash).
func (s *Server) Exited() bool {
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

// newServer prepares a Server for redis-server with args, its files in dir
// (created if missing); it does not start it.
func newServer(dir string, args []string) (*Server, error) {
	bin, err := LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create server dir: %w", err)
	}
	return &Server{bin: bin, dir: dir, args: args}, nil
}
