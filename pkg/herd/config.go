package herd

import (
	"errors"
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
	// RedisURL is the real target. Empty means a redis-server the herd
	// starts on a free loopback port when one is in PATH, else the
	// embedded server.
	RedisURL string
	// Embedded uses the embedded server even when redis-server is in PATH.
	Embedded bool
	// MaxClients limits client connections at the proxy. Default
	// DefaultMaxClients with no RedisURL (embedded or local server), none
	// for a real one (whose own maxclients applies).
	MaxClients int
	// Split runs one replica's share of a herd spread over processes:
	// the services i with i % Replicas == ReplicaIndex, each strategy
	// starting at its slot after StartAt (see Slot), so that every process
	// starts it at the same instant. It needs a RedisURL they all share.
	Split        bool
	ReplicaIndex int
	// StartAt is when the first strategy starts (zero: at once).
	StartAt time.Time
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
	if c.Split {
		if c.RedisURL == "" {
			return fmt.Errorf("%w: a split herd needs a target every process shares (a redis URL)", ErrSplit)
		}
		if c.MaxClients > 0 {
			return fmt.Errorf("%w: maxclients limits one process's proxy; a split herd meets the server's own maxclients (CONFIG SET maxclients)", ErrSplit)
		}
		if c.ReplicaIndex < 0 || c.ReplicaIndex >= c.Replicas {
			return fmt.Errorf("%w: replica index %d is not in 0..%d", ErrSplit, c.ReplicaIndex, c.Replicas-1)
		}
		if c.StartAt.IsZero() {
			return fmt.Errorf("%w: every process needs the same start time", ErrSplit)
		}
	}
	if c.MaxClients < 0 {
		return fmt.Errorf("maxclients must be 0 or more, got %d", c.MaxClients)
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

// ErrSplit is returned for a split herd (Config.Split) that cannot be run
// as asked; the error says what is missing.
var ErrSplit = errors.New("split herd")

// replicaOf spreads services over replicas round-robin.
func (c *Config) replicaOf(service int) int { return service % c.Replicas }

// runsReplica reports whether this process runs replica r.
func (c *Config) runsReplica(r int) bool { return !c.Split || r == c.ReplicaIndex }

// ids are the services this process runs, in order.
func (c *Config) ids() []int {
	var ids []int
	for i := range c.Services {
		if c.runsReplica(c.replicaOf(i)) {
			ids = append(ids, i)
		}
	}
	return ids
}

// Slot is how far apart a split herd's strategies start, so that each
// process has finished one before any starts the next: every service
// settles by the start-up timeout, or up to go-redis's 3s read timeout
// after it (a naive client blocked in a read), keeps its steady load, its
// clients close (seconds for thousands of them on a busy machine) and the
// server gets up to drainWait to see the connections go: 10s past the
// timeout and the steady phase. A process that finds it has missed its
// slot by more than a second stops with ErrSplit.
func (c *Config) Slot() time.Duration { return c.StartupTimeout + c.Steady + slotMargin }

// slotMargin is what a strategy's slot adds to its start-up and steady time.
const slotMargin = 10 * time.Second

// drainWait bounds how long a strategy waits for the server's client count
// to fall back after its services closed.
const drainWait = 3 * time.Second
