package devnode

import (
	"errors"
	"os"
	"strings"
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

// The command lines below are what /proc/PID/cmdline holds: redis-server
// and redis-sentinel rewrite their argv into a NUL-padded title once they
// listen; before that (or with set-proc-title no) the arguments show as
// started.
func TestServesPortMatchesThePortExactly(t *testing.T) {
	title := func(s string) string { return s + strings.Repeat("\x00", 40) }
	argv := func(a ...string) string { return strings.Join(a, "\x00") + "\x00" }
	tests := []struct {
		name    string
		cmdline string
		port    string
		want    bool
	}{
		{"title, same port", title("redis-server 127.0.0.1:7000"), "7000", true},
		{"title, port is a prefix", title("redis-server 127.0.0.1:7000"), "700", false},
		{"title, port is a suffix", title("redis-server 127.0.0.1:17000"), "7000", false},
		{"title, longer port", title("redis-server 127.0.0.1:700"), "7000", false},
		{"title, any address", title("redis-server *:7000"), "7000", true},
		{"title, any address, prefix", title("redis-server *:7000"), "700", false},
		{"title, cluster mode", title("redis-server 127.0.0.1:7000 [cluster]"), "7000", true},
		{"title, sentinel", title("redis-sentinel 127.0.0.1:26379 [sentinel]"), "26379", true},
		{"title, sentinel, prefix", title("redis-sentinel 127.0.0.1:26379 [sentinel]"), "2637", false},
		{"title, IPv6 bind", title("redis-server ::1:7000"), "7000", true},
		{"title, full path", title("/usr/bin/redis-server 127.0.0.1:7000"), "7000", true},
		{"title, unix socket", title("redis-server unixsocket:/tmp/redis.sock"), "7000", false},
		{"argv, --port", argv("/usr/bin/redis-server", "--port", "7000", "--save", "", "--bind", "127.0.0.1"), "7000", true},
		{"argv, --port prefix", argv("/usr/bin/redis-server", "--port", "7000", "--save", ""), "700", false},
		{"argv, port only in another value", argv("/usr/bin/redis-server", "--port", "6379", "--dir", "/tmp/7000"), "7000", false},
		{"argv, config file only", argv("redis-sentinel", "/tmp/7000/sentinel.conf"), "7000", false},
		{"not redis", argv("/usr/bin/nc", "-l", "127.0.0.1:7000"), "7000", false},
		{"not redis, title-like", title("python3 127.0.0.1:7000"), "7000", false},
		{"empty", "", "7000", false},
		{"empty port", title("redis-server unixsocket:"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := servesPort([]byte(tt.cmdline), tt.port); got != tt.want {
				t.Errorf("servesPort(%q, %q) = %v, want %v", tt.cmdline, tt.port, got, tt.want)
			}
		})
	}
}
