// Package redistest starts real redis-server processes on free loopback ports
// for tests, and lets a test stop, kill -9, pause (SIGSTOP), resume and
// restart them on the same port. Every package's tests that need Redis use it.
//
// It is a thin layer over internal/localredis, which does the work and
// returns errors: here each process's files go to t.TempDir(), every
// process is killed when the test ends, and an error fails the test.
// When redis-server is not installed the calling test is skipped with a
// clear message, unless RESCLI_REQUIRE_REDIS=1 (CI sets it), in which case
// it fails.
package redistest

import (
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/localredis"
	"github.com/rescli/rescli/internal/redisinfo"
)

// T is what the helpers need of a test: testing.TB has it.
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

// Server is one redis-server process owned by a test. The embedded
// localredis.Server gives Addr, Port, Password, Kill, Stop, Pause, Resume,
// Info, URL and LogTail; the methods below end the test on an error and
// undo what they did when it ends.
type Server struct {
	*localredis.Server
	t T
}

// Binary returns the path of redis-server, or skips/fails t when it is
// missing.
func Binary(t T) string {
	t.Helper()
	return lookup(t, "redis-server")
}

func lookup(t T, name string) string {
	t.Helper()
	p, err := localredis.LookPath(name)
	if err == nil {
		return p
	}
	msg := err.Error() + " to run this test"
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
	Binary(t)
	s, err := localredis.Start(t.TempDir(), extra...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(s.Kill)
	return &Server{Server: s, t: t}
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) { return localredis.FreePort() }

// ParseInfo turns an INFO reply into field → value.
func ParseInfo(info string) map[string]string { return redisinfo.Parse(info) }

// Restart kills the server if it runs and starts a new one on the same port
// with the same configuration (data is not kept: persistence is off).
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.Server.Restart(); err != nil {
		s.t.Fatalf("%v", err)
	}
}

// Client returns a plain go-redis client for test set-up and assertions
// (no retries), closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := s.Server.Client()
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Register records the running process in a devnode directory, as rescli
// dev does, so that chaos inject kill-node may kill it; when the test ends
// the record is removed and a process kill-node restarted is killed.
func (s *Server) Register(dir string) error {
	s.t.Cleanup(func() { s.Server.Deregister(dir) })
	return s.Server.Register(dir)
}

// wrap returns the test's Server for n, one of servers, or nil.
func wrap(servers []*Server, n *localredis.Server) *Server {
	for _, s := range servers {
		if s.Server == n {
			return s
		}
	}
	return nil
}
