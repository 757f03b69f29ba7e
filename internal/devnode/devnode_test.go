package devnode

import (
	"errors"
	"os"
	"testing"
)

func TestLookupRefusesUnknownAndRecycledProcesses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Lookup(dir, "127.0.0.1:7000"); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("unregistered address: %v", err)
	}
	// A record whose PID now runs something else (this test binary) must
	// never be killed.
	if err := Register(dir, Node{Addr: "127.0.0.1:7000", PID: os.Getpid(), Argv: []string{"redis-server"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup(dir, "127.0.0.1:7000"); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("recycled PID: %v, want ErrNotRegistered", err)
	}
	Unregister(dir, "127.0.0.1:7000")
	if _, err := os.Stat(File(dir, "127.0.0.1:7000")); !os.IsNotExist(err) {
		t.Fatalf("record left after Unregister: %v", err)
	}
}
