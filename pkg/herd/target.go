package herd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/manager"
)

// EmbeddedLabel names the embedded target in every output.
const EmbeddedLabel = "embedded (simulated server)"

// target is where the herd goes: an embedded miniredis or a real server.
type target struct {
	label    string
	upstream string         // host:port the proxy forwards to
	base     *redis.Options // credentials, DB and TLS for the services
	mini     *miniredis.Miniredis
}

func openTarget(url string, allowUnreachable bool) (*target, error) {
	if url == "" {
		mini := miniredis.NewMiniRedis()
		if err := mini.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		return &target{label: EmbeddedLabel, upstream: mini.Addr(), base: &redis.Options{}, mini: mini}, nil
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url %s: %w", redact.URL(url), err)
	}
	t := &target{label: redact.URL(url), upstream: opts.Addr, base: opts}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	// An unreachable target is an error; one that answers but refuses
	// (maxclients, LOADING during a restart) is the herd's to meet.
	if _, err := t.info(ctx); err != nil && unreachable(err) && !allowUnreachable {
		return nil, fmt.Errorf("connect to %s: %w", t.label, err)
	}
	return t, nil
}

func (t *target) close() {
	if t.mini != nil {
		t.mini.Close()
	}
}

func unreachable(err error) bool {
	switch manager.Classify(err) {
	case manager.Dial, manager.Timeout, manager.Other:
		return true
	}
	return false
}

// serverStats are the server's own connection counters (real targets).
type serverStats struct {
	ConnectedClients    int64 `json:"connected_clients"`
	RejectedConnections int64 `json:"rejected_connections"`
	MaxClients          int64 `json:"maxclients"`
}

// info reads INFO from a real server directly (not through the proxy).
func (t *target) info(ctx context.Context) (*serverStats, error) {
	if t.mini != nil {
		return nil, nil
	}
	o := *t.base
	o.MaxRetries, o.DialerRetries, o.Protocol, o.DisableIdentity = -1, 1, 2, true
	c := redis.NewClient(&o)
	defer c.Close()
	raw, err := c.Info(ctx, "clients", "stats").Result()
	if err != nil {
		return nil, err
	}
	f := parseInfo(raw)
	s := &serverStats{ConnectedClients: f["connected_clients"], RejectedConnections: f["rejected_connections"], MaxClients: f["maxclients"]}
	if mc, err := c.ConfigGet(ctx, "maxclients").Result(); err == nil {
		s.MaxClients, _ = strconv.ParseInt(mc["maxclients"], 10, 64)
	}
	return s, nil
}

func parseInfo(raw string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(raw, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// waitDrained waits until the server's connected clients fall back to
// baseline so one strategy's closing connections do not count against the
// next; it gives up quietly after limit.
func (t *target) waitDrained(ctx context.Context, baseline int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		s, err := t.info(ctx)
		if err != nil || s == nil || s.ConnectedClients <= baseline {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clientOptions returns go-redis options for a service client that dials
// the proxy at addr.
func (t *target) clientOptions(addr string) *redis.Options {
	o := *t.base
	o.Addr = addr
	return &o
}
