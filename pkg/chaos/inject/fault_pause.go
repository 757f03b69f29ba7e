package inject

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// planPause plans CLIENT PAUSE WRITE or ALL, reverted with CLIENT UNPAUSE.
//
// Under a pause of ALL, Redis postpones every command of every client —
// CLIENT UNPAUSE too, from any connection, old or new (processCommand
// checks the pause before it runs anything but a replica's commands) — so
// a single long pause all could not be ended before its time. A pause all
// is therefore a chain of short pauses that rescli keeps renewing (see
// pauseChain): to end it early rescli stops renewing, and it is over
// within two links. After a crash nobody renews it and it ends by itself
// as soon.
func planPause(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	mode := "WRITE"
	if len(s.Args) > 0 {
		mode = strings.ToUpper(s.Args[0])
	}
	if mode != "WRITE" && mode != "ALL" {
		return nil, fmt.Errorf("pause takes WRITE or ALL, got %q", s.Args[0])
	}
	if err := requireCommand(ctx, c, "client|unpause"); err != nil {
		return nil, fmt.Errorf("pause: %w: CLIENT UNPAUSE needs Redis 6.2 or later (%v); on an older server hold requests at a proxy instead (rescli chaos proxy --toxic delay,delay=5000)", ErrNotRevertible, err)
	}
	if denied := aclDenied(ctx, c, "CLIENT", "UNPAUSE"); denied != "" {
		return nil, fmt.Errorf("pause: %w: CLIENT UNPAUSE is refused (%s); use a user that may run CLIENT PAUSE and CLIENT UNPAUSE (ACL +client|pause +client|unpause)", ErrNotRevertible, denied)
	}
	p := &Plan{Fault: "pause", Duration: s.Duration, Revert: []Step{{Kind: "unpause"}}, Setting: "pause", Value: mode}
	if mode == "WRITE" {
		ms := s.Duration.Milliseconds()
		p.Description = fmt.Sprintf("CLIENT PAUSE %d WRITE (clients' write commands block for %s; Redis ends the pause itself)", ms, s.Duration)
		p.apply = func(ctx context.Context, c *redis.Client) error {
			return c.Do(ctx, "CLIENT", "PAUSE", ms, "WRITE").Err()
		}
		return p, nil
	}
	p.Description = fmt.Sprintf("CLIENT PAUSE ALL for %s (every client's commands block), renewed every %s from a connection of its own, so that it ends within a second when rescli stops it or dies",
		s.Duration, pauseLink)
	var chain *pauseChain
	p.apply = func(ctx context.Context, c *redis.Client) (err error) {
		chain, err = startPauseChain(ctx, c.Options(), s.Duration)
		return err
	}
	p.halt = func(ctx context.Context) error {
		if chain == nil {
			return nil
		}
		return chain.stop(ctx)
	}
	return p, nil
}
