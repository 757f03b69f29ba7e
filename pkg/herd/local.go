package herd

import (
	"context"
	"fmt"
	"os"

	"github.com/rescli/rescli/internal/localredis"
)

// LocalLabel starts the label of a redis-server the herd started itself.
const LocalLabel = "local redis-server"

// localServer is a redis-server started for one herd run, in a temporary
// directory that goes with it.
type localServer struct {
	srv *localredis.Server
	dir string
}

// startLocal starts redis-server on a free loopback port: with no target
// given, a real server measures the strategies better than the embedded
// one, which shares the simulator's CPU. Its own maxclients stays at
// Redis's default; the herd's limit is the proxy's (Config.MaxClients).
// The error wraps localredis.ErrNotInstalled when there is no redis-server.
func startLocal() (*server, error) {
	if _, err := localredis.LookPath("redis-server"); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rescli-herd-")
	if err != nil {
		return nil, fmt.Errorf("start local redis-server: %w", err)
	}
	srv, err := localredis.Start(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start local redis-server (--embedded runs without it): %w", err)
	}
	l := &localServer{srv: srv, dir: dir}
	s, err := resolveServer(context.Background(), srv.URL())
	if err != nil {
		l.stop()
		return nil, err
	}
	s.label = fmt.Sprintf("%s %s (started for this run)", LocalLabel, srv.Addr)
	s.local = l
	return s, nil
}

func (l *localServer) stop() {
	l.srv.Kill()
	_ = os.RemoveAll(l.dir)
}
