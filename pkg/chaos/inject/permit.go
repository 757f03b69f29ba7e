package inject

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The checks below run while a fault is planned, so that a fault whose
// revert the server would refuse (no such command, an ACL that forbids it,
// a config it will not set) is refused before anything changes.

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

// aclDenied asks the server with ACL DRYRUN (Redis 7) whether this
// connection's user may run args. It returns the server's denial, or ""
// when the command is allowed or the server cannot tell: before Redis 7,
// or when the user may not run ACL DRYRUN itself.
func aclDenied(ctx context.Context, c *redis.Client, args ...any) string {
	user, err := c.Do(ctx, "ACL", "WHOAMI").Text()
	if err != nil {
		return ""
	}
	reply, err := c.Do(ctx, append([]any{"ACL", "DRYRUN", user}, args...)...).Text()
	if err != nil || reply == "OK" {
		return ""
	}
	return reply
}

// probeConfigSet sets key to the value it has: a no-op that fails exactly
// when the revert's CONFIG SET would (ACL, a renamed CONFIG, a protected or
// read-only config).
func probeConfigSet(ctx context.Context, c *redis.Client, key, current string) error {
	if err := c.ConfigSet(ctx, key, current).Err(); err != nil {
		return fmt.Errorf("%s: %w: CONFIG SET %s is refused (%v); use a user that may run CONFIG SET (ACL +config|set), or a server whose %s is not protected", key, ErrNotRevertible, key, err, key)
	}
	return nil
}
