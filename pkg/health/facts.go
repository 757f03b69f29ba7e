package health

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/internal/redisinfo"
)

// ServerFacts are what the poller last read from Redis's INFO. At is when
// they were read; Error, when set, says why the latest read failed (the
// numbers are then from the read before, if any).
type ServerFacts struct {
	At                  time.Time `json:"at,omitzero"`
	Error               string    `json:"error,omitempty"`
	Version             string    `json:"version,omitempty"`
	Mode                string    `json:"mode,omitempty"`
	Role                string    `json:"role,omitempty"`
	MasterLinkStatus    string    `json:"masterLinkStatus,omitempty"`
	ConnectedReplicas   int64     `json:"connectedReplicas"`
	ConnectedClients    int64     `json:"connectedClients"`
	MaxClients          int64     `json:"maxClients"`
	BlockedClients      int64     `json:"blockedClients"`
	RejectedConnections int64     `json:"rejectedConnections"`
	UsedMemory          int64     `json:"usedMemory"`
	MaxMemory           int64     `json:"maxMemory"`
	UptimeSeconds       int64     `json:"uptimeSeconds"`
	// RejectedSincePoll is how much rejected_connections grew since the
	// previous successful read.
	RejectedSincePoll int64 `json:"rejectedSincePoll"`
}

// readFacts sends one INFO through the manager's client (so it passes the
// breaker and fails fast while it is open) and folds it into prev.
func readFacts(ctx context.Context, c redis.UniversalClient, prev ServerFacts, now func() time.Time) ServerFacts {
	raw, err := c.Info(ctx).Result() // the default sections; several at once need Redis 7
	if err != nil {
		prev.Error = redact.String(fmt.Sprintf("read INFO: %v", err))
		return prev
	}
	f := parseFacts(raw)
	f.At = now()
	if !prev.At.IsZero() && f.RejectedConnections > prev.RejectedConnections {
		f.RejectedSincePoll = f.RejectedConnections - prev.RejectedConnections
	}
	return f
}

// parseFacts reads the fields rescli judges from an INFO reply.
func parseFacts(raw string) ServerFacts {
	kv := redisinfo.Parse(raw)
	num := kv.Int
	return ServerFacts{
		Version: kv["redis_version"], Mode: kv["redis_mode"], Role: kv["role"],
		MasterLinkStatus:    kv["master_link_status"],
		ConnectedReplicas:   num("connected_slaves"),
		ConnectedClients:    num("connected_clients"),
		MaxClients:          num("maxclients"),
		BlockedClients:      num("blocked_clients"),
		RejectedConnections: num("rejected_connections"),
		UsedMemory:          num("used_memory"),
		MaxMemory:           num("maxmemory"),
		UptimeSeconds:       num("uptime_in_seconds"),
	}
}
