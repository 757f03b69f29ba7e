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

// Alive reports whether the PID runs a redis process listening on the
// node's port, judged from its command line.
func (n Node) Alive() bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n.PID))
	if err != nil {
		return false
	}
	_, port, err := net.SplitHostPort(n.Addr)
	if err != nil {
		return false
	}
	return servesPort(cmdline, port)
}

// servesPort reports whether cmdline, as read from /proc/PID/cmdline, is
// that of a redis process on port; the port must match whole (700 is not
// 7000). Once listening, redis-server and redis-sentinel rewrite their
// argv into one NUL-padded title whose second word is the listen address:
// "redis-server 127.0.0.1:7000", "redis-server *:7000 [cluster]",
// "redis-sentinel 127.0.0.1:26379 [sentinel]". Before that, or with
// set-proc-title no, the arguments show as started and only "--port N"
// names the port; a port set in a config file cannot be seen, and such a
// process is not taken for the node.
func servesPort(cmdline []byte, port string) bool {
	if port == "" {
		return false
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	title := len(args) == 1
	if title {
		args = strings.Fields(args[0])
	}
	if len(args) < 2 || !strings.Contains(filepath.Base(args[0]), "redis") {
		return false
	}
	if title {
		// host:port, where host may be "*" or an IPv6 address with colons.
		i := strings.LastIndexByte(args[1], ':')
		return i >= 0 && args[1][i+1:] == port
	}
	for i := 1; i+1 < len(args); i++ {
		if args[i] == "--port" && args[i+1] == port {
			return true
		}
	}
	return false
}

// Kill sends SIGKILL (on Windows, TerminateProcess).
func (n Node) Kill() error {
	proc, err := os.FindProcess(n.PID)
	if err == nil {
		err = proc.Kill()
	}
	if err != nil {
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
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return n, fmt.Errorf("restart %s: %w", n.Addr, err)
	}
	n.PID = cmd.Process.Pid
	go func() { _ = cmd.Wait() }() // reap it if it exits while we run
	return n, Register(dir, n)
}
