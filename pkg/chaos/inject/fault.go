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
	Fault       string        `json:"fault"`
	Description string        `json:"description"`
	Duration    time.Duration `json:"duration_ns"`
	Revert      []Step        `json:"revert"`
	apply       func(ctx context.Context, c *redis.Client) error
}

// Spec is what the user asked for: a fault name and its arguments.
type Spec struct {
	Fault    string
	Args     []string
	Duration time.Duration
}

// Faults lists the fault names.
func Faults() []string {
	return []string{"pause", "sleep", "kill-clients", "maxclients", "maxmemory", "failover", "kill-node"}
}

// NewPlan checks the server and builds the plan without changing anything.
func NewPlan(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	if s.Duration <= 0 {
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

func planPause(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	mode := "WRITE"
	if len(s.Args) > 0 {
		mode = strings.ToUpper(s.Args[0])
	}
	if mode != "WRITE" && mode != "ALL" {
		return nil, fmt.Errorf("pause takes WRITE or ALL, got %q", s.Args[0])
	}
	if err := requireCommand(ctx, c, "client|unpause"); err != nil {
		return nil, fmt.Errorf("pause: %w: CLIENT UNPAUSE needs Redis 6.2 or later (%v)", ErrNotRevertible, err)
	}
	ms := s.Duration.Milliseconds()
	return &Plan{
		Fault: "pause", Duration: s.Duration, Revert: []Step{{Kind: "unpause"}},
		Description: fmt.Sprintf("CLIENT PAUSE %d %s (clients' %s commands block for %s; Redis ends the pause itself)", ms, mode, strings.ToLower(mode), s.Duration),
		apply: func(ctx context.Context, c *redis.Client) error {
			return c.Do(ctx, "CLIENT", "PAUSE", ms, mode).Err()
		},
	}, nil
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

func planConfig(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	if len(s.Args) != 1 {
		return nil, fmt.Errorf("%s takes one value, e.g. %s 10", s.Fault, s.Fault)
	}
	if _, err := strconv.ParseUint(s.Args[0], 10, 64); err != nil {
		return nil, fmt.Errorf("%s value %q is not a whole number", s.Fault, s.Args[0])
	}
	old, err := c.ConfigGet(ctx, s.Fault).Result()
	if err != nil || old[s.Fault] == "" {
		return nil, fmt.Errorf("%s: %w: CONFIG GET %s is not allowed (%v)", s.Fault, ErrNotRevertible, s.Fault, err)
	}
	key, value, prev := s.Fault, s.Args[0], old[s.Fault]
	return &Plan{
		Fault: s.Fault, Duration: s.Duration, Revert: []Step{{Kind: "config", Key: key, Value: prev}},
		Description: fmt.Sprintf("CONFIG SET %s %s (was %s; restored after %s)", key, value, prev, s.Duration),
		apply: func(ctx context.Context, c *redis.Client) error {
			return c.ConfigSet(ctx, key, value).Err()
		},
	}, nil
}

// requireCommand checks COMMAND INFO knows name ("client|unpause").
func requireCommand(ctx context.Context, c *redis.Client, name string) error {
	parent, sub, _ := strings.Cut(name, "|")
	docs, err := c.Do(ctx, "COMMAND", "INFO", parent).Slice()
	if err != nil {
		return err
	}
	if len(docs) == 0 || docs[0] == nil {
		return fmt.Errorf("no command %s", parent)
	}
	if sub == "" {
		return nil
	}
	if !strings.Contains(strings.ToLower(fmt.Sprint(docs[0])), name) {
		return fmt.Errorf("no subcommand %s", name)
	}
	return nil
}

// revert applies the steps; it is idempotent.
func revert(ctx context.Context, c *redis.Client, steps []Step) error {
	var errs []error
	for _, s := range steps {
		switch s.Kind {
		case "config":
			if err := c.ConfigSet(ctx, s.Key, s.Value).Err(); err != nil {
				errs = append(errs, fmt.Errorf("restore %s %s: %w", s.Key, s.Value, err))
			}
		case "unpause":
			if err := c.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
				errs = append(errs, fmt.Errorf("client unpause: %w", err))
			}
		case "restart":
			if err := restartNode(ctx, s); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
