package inject

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotRevertible is returned when a fault could not be undone on this
// server; such a fault is refused before anything changes.
var ErrNotRevertible = errors.New("fault cannot be reverted on this server")

// ErrDataLoss is returned for a fault that would destroy data (keys
// evicted) when Spec.AllowDataLoss does not acknowledge the loss; such a
// fault is refused before anything changes.
var ErrDataLoss = errors.New("fault would destroy data")

// Step is one revert action, stored in the journal as data.
type Step struct {
	// Kind is "config" (CONFIG SET Key Value), "unpause" (CLIENT UNPAUSE),
	// "restart" (start the dev node at Key again from its record in the
	// directory Value) or "none" (the fault undoes itself: killed clients reconnect, DEBUG
	// SLEEP ends).
	Kind  string `json:"kind"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// Plan is a fault ready to apply: what it does and how it is undone.
type Plan struct {
	Fault       string `json:"fault"`
	Description string `json:"description"`
	// Warning says what the fault breaks beyond its purpose: keys it
	// evicts (acknowledged), writes failing with OOM.
	Warning  string        `json:"warning,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Revert   []Step        `json:"revert"`
	// Setting names what the fault holds changed on the server until it is
	// reverted ("maxclients", "maxmemory", "pause"); empty for faults that
	// undo themselves. Faults on one server and setting compose (compose.go).
	Setting string `json:"setting,omitempty"`
	// Value is what a config fault sets, so that the setting can be put
	// back to it when an older fault on the same setting ends first.
	Value string `json:"value,omitempty"`

	apply func(ctx context.Context, c *redis.Client) error
	// halt, when set, stops what rescli itself keeps doing for the fault
	// (renewing a pause all) before it is reverted.
	halt func(ctx context.Context) error
}

// Spec is what the user asked for: a fault name and its arguments.
type Spec struct {
	Fault    string
	Args     []string
	Duration time.Duration
	// AllowDataLoss acknowledges that the fault destroys data (a maxmemory
	// that makes the eviction policy drop keys); without it such a fault
	// is refused with an estimate of what it would destroy.
	AllowDataLoss bool
}

// Faults lists the fault names.
func Faults() []string {
	return []string{"pause", "sleep", "kill-clients", "maxclients", "maxmemory", "failover", "kill-node"}
}

// Oneshot reports whether fault is applied once and not reverted (a
// failover): it takes no duration.
func Oneshot(fault string) bool { return fault == "failover" }

// NewPlan checks the server and builds the plan without changing anything.
func NewPlan(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	if Oneshot(s.Fault) {
		s.Duration = 0
	} else if s.Duration <= 0 {
		return nil, fmt.Errorf("fault %s needs a --duration", s.Fault)
	}
	switch s.Fault {
	case "pause":
		return planPause(ctx, c, s)
	case "sleep":
		return planSleep(ctx, c, s)
	case "kill-clients":
		return planKill(s)
	case "maxclients", "maxmemory":
		return planConfig(ctx, c, s)
	case "failover":
		return planFailover(ctx, c, s)
	case "kill-node":
		return planKillNode(ctx, c, s)
	}
	return nil, fmt.Errorf("unknown fault %q (want one of %s)", s.Fault, strings.Join(Faults(), ", "))
}

func planSleep(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	if err := c.Do(ctx, "DEBUG", "HELP").Err(); err != nil {
		return nil, fmt.Errorf("sleep: the server does not allow DEBUG (%v); start it with enable-debug-command local|yes, or use pause", err)
	}
	secs := strconv.FormatFloat(s.Duration.Seconds(), 'f', 3, 64)
	return &Plan{
		Fault: "sleep", Duration: s.Duration, Revert: []Step{{Kind: "none"}},
		Description: fmt.Sprintf("DEBUG SLEEP %s (the whole server stops answering for %s, then resumes by itself)", secs, s.Duration),
		apply: func(ctx context.Context, c *redis.Client) error {
			// DEBUG SLEEP holds this connection until it ends: send it from
			// a goroutine-free, fire-and-forget client with a long timeout.
			return c.Do(ctx, "DEBUG", "SLEEP", secs).Err()
		},
	}, nil
}

func planKill(s Spec) (*Plan, error) {
	if len(s.Args) != 2 || !slices.Contains([]string{"type", "addr", "user", "laddr", "id"}, strings.ToLower(s.Args[0])) {
		return nil, errors.New("kill-clients takes a filter: type normal|pubsub|replica, addr IP:PORT, user NAME, laddr IP:PORT or id ID")
	}
	filter, value := strings.ToUpper(s.Args[0]), s.Args[1]
	return &Plan{
		Fault: "kill-clients", Duration: s.Duration, Revert: []Step{{Kind: "none"}},
		Description: fmt.Sprintf("CLIENT KILL %s %s SKIPME yes (the clients reconnect by themselves)", filter, value),
		apply: func(ctx context.Context, c *redis.Client) error {
			return c.Do(ctx, "CLIENT", "KILL", filter, value, "SKIPME", "yes").Err()
		},
	}, nil
}
