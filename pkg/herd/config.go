package herd

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultMaxClients is the embedded server's connection limit: 40 naive
// services need at least one connection each (up to WarmupConcurrency, 4,
// during warm-up) and overflow it; one managed pool of 20 fits.
const DefaultMaxClients = 32

// Config describes one herd run.
type Config struct {
	// Services is the number of simulated services, spread over Replicas
	// processes (default 1). A managed or shared-pool replica has one pool.
	Services int
	Replicas int
	// Strategies to run, in order (default naive, managed).
	Strategies []string
	// RedisURL is the real target; empty means the embedded server.
	RedisURL string
	// MaxClients limits client connections at the proxy. Default
	// DefaultMaxClients for the embedded server, none for a real one (whose
	// own maxclients applies).
	MaxClients int
	// StartupTimeout is how long a service may take to become ready
	// (default 5s); a naive service retries until then.
	StartupTimeout time.Duration
	// Steady is how long services keep a light load after all settled
	// (default 500ms).
	Steady time.Duration
	// Warmup commands per service (default 20), WarmupConcurrency at a time
	// (default 4).
	Warmup            int
	WarmupConcurrency int
	// Seed drives every jitter and backoff decision (default 1).
	Seed int64
	// Backoff is the jitter strategy's retry backoff: none, full, equal or
	// decorrelated (default full).
	Backoff string
	// AllowUnreachable starts the herd even when the target does not
	// answer at first (a scenario's herd that starts during an outage);
	// the services then meet the outage themselves.
	AllowUnreachable bool
	// Upstream, when set, says where the herd's proxy in front of a node
	// forwards to instead of the node (a scenario's herd goes through the
	// scenario's own fault proxies).
	Upstream func(node string) string
	// Progress, if set, is called as services settle.
	Progress func(Progress)
}

// Progress is one update while a strategy runs.
type Progress struct {
	Strategy string
	Settled  int // ready + degraded + failed
	Total    int
}

func (c *Config) defaults() error {
	if c.Services <= 0 {
		return fmt.Errorf("services must be at least 1, got %d", c.Services)
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.Replicas > c.Services {
		return fmt.Errorf("replicas (%d) cannot exceed services (%d)", c.Replicas, c.Services)
	}
	if len(c.Strategies) == 0 {
		c.Strategies = []string{"naive", "managed"}
	}
	for _, s := range c.Strategies {
		if _, ok := strategies[s]; !ok {
			return fmt.Errorf("unknown strategy %q (want one of %s)", s, strings.Join(StrategyNames(), ", "))
		}
	}
	if c.MaxClients == 0 && c.RedisURL == "" {
		c.MaxClients = DefaultMaxClients
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.StartupTimeout, 5*time.Second)
	def(&c.Steady, 500*time.Millisecond)
	if c.Warmup <= 0 {
		c.Warmup = 20
	}
	if c.WarmupConcurrency <= 0 {
		c.WarmupConcurrency = 4
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Backoff == "" {
		c.Backoff = "full"
	}
	if !slices.Contains(BackoffNames(), c.Backoff) {
		return fmt.Errorf("unknown backoff %q (want one of %s)", c.Backoff, strings.Join(BackoffNames(), ", "))
	}
	return nil
}

// replicaOf spreads services over replicas round-robin.
func (c *Config) replicaOf(service int) int { return service % c.Replicas }
