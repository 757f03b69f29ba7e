package localredis

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redisinfo"
)

// Kill sends SIGKILL (kill -9) and waits for the process to exit. The port is
// free afterwards; Restart starts a new server on it.
func (s *Server) Kill() { s.signalAndWait(syscall.SIGKILL) }

// Stop sends SIGTERM and waits: a clean shutdown.
func (s *Server) Stop() { s.signalAndWait(syscall.SIGTERM) }

func (s *Server) signalAndWait(sig syscall.Signal) {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	paused := s.paused
	s.paused = false
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	if paused && sig != syscall.SIGKILL {
		_ = cmd.Process.Signal(sigCont)
	}
	<-exit
}

// Pause sends SIGSTOP: the server keeps its port and accepts TCP connections
// in the kernel backlog but answers nothing — a hang, not a refusal.
func (s *Server) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && !s.paused {
		_ = s.cmd.Process.Signal(sigStop)
		s.paused = true
	}
}

// Resume sends SIGCONT to a paused server.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.paused {
		_ = s.cmd.Process.Signal(sigCont)
		s.paused = false
	}
}

// Restart kills the server if it runs and starts a new one on the same port
// with the same configuration (data is not kept: persistence is off).
func (s *Server) Restart() error {
	s.Kill()
	var err error
	for range 50 { // the old socket may linger for a moment
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("restart redis-server on %s: %w", s.Addr, err)
}

// Client returns a plain go-redis client (no retries) with the server's
// password; the caller closes it.
func (s *Server) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, Password: s.Password, MaxRetries: -1, Protocol: 2, ContextTimeoutEnabled: true})
}

// Info returns one field of INFO (e.g. "connected_clients"), or "" on error.
func (s *Server) Info(field string) string { return s.infoAll()[field] }

// infoAll returns every INFO field in one round trip, or nil on error: for
// callers that need several fields.
func (s *Server) infoAll() map[string]string {
	c := s.plainClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info, err := c.Info(ctx, "all").Result()
	if err != nil {
		return nil
	}
	return redisinfo.Parse(info)
}

// plainClient is an uncounted client with short timeouts for polling; the
// caller closes it.
func (s *Server) plainClient() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, Password: s.Password, MaxRetries: -1, Protocol: 2,
		DisableIdentity: true, DialTimeout: 500 * time.Millisecond, ContextTimeoutEnabled: true})
}

// Register records the running process in a devnode directory, so that
// chaos inject kill-node may kill it and restart it from the record. Call
// Deregister when done with the server.
func (s *Server) Register(dir string) error {
	s.mu.Lock()
	n := devnode.Node{Addr: s.Addr, Argv: s.argv, Dir: s.dir}
	if s.cmd != nil {
		n.PID = s.cmd.Process.Pid
	}
	s.mu.Unlock()
	return devnode.Register(dir, n)
}

// Deregister removes the record Register wrote. kill-node's revert may have
// restarted the node as a process of its own, which Kill does not know:
// that process is killed here (devnode.Lookup checks it is still the
// redis on this port, so a recycled PID is never killed).
func (s *Server) Deregister(dir string) {
	if cur, err := devnode.Lookup(dir, s.Addr); err == nil && !s.owns(cur.PID) {
		_ = cur.Kill()
	}
	devnode.Unregister(dir, s.Addr)
}

func (s *Server) owns(pid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil && s.cmd.Process.Pid == pid
}
