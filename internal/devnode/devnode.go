// Package devnode keeps the register of redis-server processes that rescli
// started itself (rescli dev, the test helper): one JSON file per node in
// a state directory. rescli chaos inject kill-node kills only the nodes
// found here, and restarts them from the same record when the fault ends.
package devnode

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNotRegistered means the address is not a node rescli started.
var ErrNotRegistered = errors.New("not a node started by rescli (rescli dev or its tests)")

// Node is one registered process.
type Node struct {
	Addr string   `json:"addr"`
	PID  int      `json:"pid"`
	Argv []string `json:"argv"` // the full command line, binary first
	Dir  string   `json:"dir"`  // its working directory
}

// Dir is the dev-nodes folder of the state directory (see StateDir).
func Dir(getenv func(string) string) string { return filepath.Join(StateDir(getenv), "dev-nodes") }

// StateDir is rescli's state directory: $RESCLI_STATE_DIR, else
// $XDG_STATE_HOME/rescli, else ~/.local/state/rescli. The chaos journal
// and the dev-node register live under it.
func StateDir(getenv func(string) string) string {
	if base := getenv("RESCLI_STATE_DIR"); base != "" {
		return base
	}
	if x := getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "rescli")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "rescli")
	}
	return filepath.Join(os.TempDir(), "rescli")
}

// File is where addr's record lives in dir.
func File(dir, addr string) string {
	return filepath.Join(dir, strings.NewReplacer(":", "_", "[", "", "]", "").Replace(addr)+".json")
}

// Register writes n's record, readable by the user only.
func Register(dir string, n Node) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create dev-node dir: %w", err)
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return os.WriteFile(File(dir, n.Addr), b, 0o600)
}

// Unregister removes addr's record.
func Unregister(dir, addr string) { _ = os.Remove(File(dir, addr)) }

// Lookup returns addr's record if the process it names is alive and still
// the redis-server on that port: a recycled PID is never killed.
func Lookup(dir, addr string) (Node, error) {
	b, err := os.ReadFile(File(dir, addr))
	if err != nil {
		return Node{}, fmt.Errorf("%s: %w", addr, ErrNotRegistered)
	}
	var n Node
	if err := json.Unmarshal(b, &n); err != nil {
		return Node{}, fmt.Errorf("dev-node record for %s is damaged: %w", addr, err)
	}
	if !n.Alive() {
		return n, fmt.Errorf("%s: process %d is not running: %w", addr, n.PID, ErrNotRegistered)
	}
	return n, nil
}

// Alive reports whether the PID runs a redis process with the node's port
// on its command line.
func (n Node) Alive() bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n.PID))
	if err != nil {
		return false
	}
	_, port, _ := net.SplitHostPort(n.Addr)
	s := strings.ReplaceAll(string(cmdline), "\x00", " ")
	return strings.Contains(s, "redis") && strings.Contains(s, port)
}

// Kill sends SIGKILL.
func (n Node) Kill() error {
	if err := syscall.Kill(n.PID, syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", n.Addr, n.PID, err)
	}
	return nil
}

// Restart starts the node again from its record, detached from this
// process, and records the new PID in dir.
func Restart(dir string, n Node) (Node, error) {
	if len(n.Argv) == 0 {
		return n, fmt.Errorf("restart %s: no command line recorded", n.Addr)
	}
	cmd := exec.Command(n.Argv[0], n.Argv[1:]...)
	cmd.Dir = n.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return n, fmt.Errorf("restart %s: %w", n.Addr, err)
	}
	n.PID = cmd.Process.Pid
	go func() { _ = cmd.Wait() }() // reap it if it exits while we run
	return n, Register(dir, n)
}
