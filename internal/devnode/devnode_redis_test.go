package devnode_test

import (
	"errors"
	"net"
	"strconv"
	"testing"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/internal/redistest"
)

// A real redis-server is found on its own port and not on a port that is a
// prefix of it: kill-node must never kill the node on 7000 for 700.
func TestLookupMatchesARealServerByItsWholePort(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	if err := srv.Register(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := devnode.Lookup(dir, srv.Addr); err != nil {
		t.Fatalf("Lookup(%s) of the running server: %v", srv.Addr, err)
	}

	before, _ := devnode.Lookup(dir, srv.Addr)
	prefix := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port/10))
	n := before
	n.Addr = prefix
	if err := devnode.Register(dir, n); err != nil {
		t.Fatal(err)
	}
	defer devnode.Unregister(dir, prefix)
	if _, err := devnode.Lookup(dir, prefix); !errors.Is(err, devnode.ErrNotRegistered) {
		t.Fatalf("Lookup(%s) of the server on %s: %v, want ErrNotRegistered", prefix, srv.Addr, err)
	}
}
