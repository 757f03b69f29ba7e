package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/health"
)

const (
	servePassword = "pw-serve-N4x"
	serveToken    = "tok-serve-J9q"
)

// serveProc is a real `rescli serve` process.
type serveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *serveOutput // stdout and stderr
	base string
	done chan error
}

// startServe runs `rescli serve` (the test binary under that name, which
// testscript puts on PATH) with the admin token serveToken and waits until
// it listens.
func startServe(t *testing.T, redisURL string, args ...string) *serveProc {
	t.Helper()
	return startServeToken(t, serveToken, redisURL, args...)
}

// startServeToken is startServe with the admin token token ("" for none).
func startServeToken(t *testing.T, token, redisURL string, args ...string) *serveProc {
	t.Helper()
	bin, err := exec.LookPath("rescli")
	if err != nil {
		t.Skipf("rescli not on PATH: %v", err)
	}
	addrFile := filepath.Join(t.TempDir(), "addr")
	argv := append([]string{"serve", "--redis-url", redisURL, "--listen", "127.0.0.1:0", "--addr-file", addrFile}, args...)
	p := &serveProc{t: t, cmd: exec.Command(bin, argv...), out: &serveOutput{}, done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), envAdminToken+"="+token)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start rescli serve: %v", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop() })
	waitUntil(t, "rescli serve to listen", func() bool {
		b, _ := os.ReadFile(addrFile)
		p.base = strings.TrimSpace(string(b))
		return p.base != ""
	})
	return p
}

// stop sends SIGTERM and waits; it returns the process's error. Calling it
// again returns the same error (done holds it again).
func (p *serveProc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("rescli serve did not stop on SIGTERM; output:\n%s", p.out)
		return nil
	}
}

// get fetches path with the admin token and decodes the document.
func (p *serveProc) get(c *http.Client, path string) (int, health.Document, string, error) {
	req, _ := http.NewRequest(http.MethodGet, p.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+serveToken)
	resp, err := c.Do(req)
	if err != nil {
		return 0, health.Document{}, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var d health.Document
	_ = json.Unmarshal(b, &d)
	return resp.StatusCode, d, string(b), nil
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// requirePassword sets the password on a (re)started server.
func requirePassword(t *testing.T, srv *redistest.Server) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, Protocol: 2})
	defer c.Close()
	if err := c.ConfigSet(context.Background(), "requirepass", servePassword).Err(); err != nil {
		t.Fatalf("set requirepass: %v", err)
	}
}

type serveOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveOutput) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
