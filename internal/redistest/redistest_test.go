package redistest

import (
	"context"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifecycle(t *testing.T) {
	s := Start(t, "--maxclients", "17")
	ctx := context.Background()
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("set: %v", err)
	}
	if got := s.Info("maxclients"); got != "17" {
		t.Fatalf("maxclients = %q, want 17 (extra args not applied)", got)
	}

	s.Pause()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err := c.Ping(short).Err()
	cancel()
	if err == nil {
		t.Fatal("PING answered while the server was SIGSTOPped")
	}
	s.Resume()

	s.Kill()
	if _, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		t.Fatal("port still accepts connections after Kill")
	}
	s.Restart()
	if err := s.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("ping after restart on the same port: %v", err)
	}
	if got := s.Client().Get(ctx, "k").Val(); got != "" {
		t.Fatalf("data survived a restart with persistence off: %q", got)
	}
}

func TestParseInfo(t *testing.T) {
	got := ParseInfo("# Clients\r\nconnected_clients:3\r\nmaxclients:10\r\n\r\n# Stats\r\nrejected_connections:7\r\nexecutable:/x:y")
	if got["connected_clients"] != "3" || got["maxclients"] != "10" || got["rejected_connections"] != "7" ||
		got["executable"] != "/x:y" || len(got) != 4 {
		t.Fatalf("ParseInfo = %v", got)
	}
}
