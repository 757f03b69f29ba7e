package localredis_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/localredis"
	"github.com/rescli/rescli/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Without the binaries every start says which one is missing, and starts
// nothing: rescli dev prints that line.
func TestStartNamesTheMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	for name, start := range map[string]func() error{
		"redis-server":   func() error { _, err := localredis.Start(dir); return err },
		"redis-cli":      func() error { _, err := localredis.StartCluster(dir); return err },
		"redis-sentinel": func() error { _, err := localredis.StartSentinel(dir); return err },
	} {
		err := start()
		if !errors.Is(err, localredis.ErrNotInstalled) || !strings.HasPrefix(err.Error(), name+" not found in PATH") {
			t.Errorf("start without %s: %v, want ErrNotInstalled naming it", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a start without binaries created %d entries in the data dir", len(entries))
	}
}

// A server that cannot start is an error, not a process left behind.
func TestStartReturnsAnErrorForABadConfig(t *testing.T) {
	redistest.Binary(t)
	s, err := localredis.Start(filepath.Join(t.TempDir(), "node"), "--no-such-directive", "1")
	if err == nil {
		s.Kill()
		t.Fatal("Start accepted an unknown directive")
	}
	if !strings.Contains(err.Error(), "exited during start-up") {
		t.Fatalf("error %q does not say the server exited", err)
	}
}

// kill-node kills a registered server behind its back and its revert
// restarts it as a process of its own: the Server sees the death, and
// Deregister kills the stranger it cannot Kill.
func TestDeregisterKillsTheProcessKillNodeRestarted(t *testing.T) {
	redistest.Binary(t)
	s, err := localredis.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	reg := t.TempDir()
	if err := s.Register(reg); err != nil {
		t.Fatal(err)
	}
	n, err := devnode.Lookup(reg, s.Addr)
	if err != nil {
		t.Fatalf("lookup of the registered server: %v", err)
	}
	if err := n.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := localredis.WaitUntil(5*time.Second, func() error {
		if !s.Exited() {
			return errors.New("Exited() still false")
		}
		return nil
	}); err != nil {
		t.Fatalf("process killed behind the Server's back: %v", err)
	}
	restarted, err := devnode.Restart(reg, n)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	defer c.Close()
	if err := localredis.WaitUntil(5*time.Second, func() error { return c.Ping(context.Background()).Err() }); err != nil {
		t.Fatalf("restarted node never answered: %v", err)
	}

	s.Deregister(reg)
	if err := localredis.WaitUntil(5*time.Second, func() error {
		if restarted.Alive() {
			return errors.New("restarted process still alive")
		}
		return nil
	}); err != nil {
		t.Fatalf("Deregister: %v", err)
	}
	if _, err := os.Stat(devnode.File(reg, s.Addr)); !os.IsNotExist(err) {
		t.Fatalf("record left after Deregister: %v", err)
	}
}

// Deregister never kills the server's own process: that is Kill's job.
func TestDeregisterLeavesItsOwnProcessRunning(t *testing.T) {
	redistest.Binary(t)
	s, err := localredis.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	reg := t.TempDir()
	if err := s.Register(reg); err != nil {
		t.Fatal(err)
	}
	s.Deregister(reg)
	if s.Exited() || s.Info("role") != "master" {
		t.Fatal("Deregister stopped the server it started")
	}
	if _, err := devnode.Lookup(reg, s.Addr); !errors.Is(err, devnode.ErrNotRegistered) {
		t.Fatalf("still registered: %v", err)
	}
}

// Close is rescli dev's teardown: afterwards no port of the deployment
// answers.
func TestSentinelCloseKillsEveryProcess(t *testing.T) {
	redistest.Binary(t)
	d, err := localredis.StartSentinel(t.TempDir(), "--requirepass", "s3cret")
	if errors.Is(err, localredis.ErrNotInstalled) && os.Getenv(redistest.EnvRequire) != "1" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	servers := append([]*localredis.Server{d.Master, d.Replica}, d.Sentinels...)
	if m, err := d.CurrentMaster(context.Background()); err != nil || m != d.Master {
		t.Fatalf("current master %v, %v", m, err)
	}
	d.Close()
	for _, s := range servers {
		if !s.Exited() {
			t.Errorf("%s still running after Close", s.Addr)
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			_ = c.Close()
			t.Errorf("%s still accepts connections after Close", s.Addr)
		}
	}
}
