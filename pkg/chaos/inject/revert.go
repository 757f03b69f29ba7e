package inject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

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

func revertWithRetry(ctx context.Context, c *redis.Client, steps []Step) error {
	for {
		err := revert(ctx, c, steps)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func describe(steps []Step) string {
	var parts []string
	for _, s := range steps {
		switch s.Kind {
		case "config":
			parts = append(parts, fmt.Sprintf("CONFIG SET %s %s", s.Key, s.Value))
		case "unpause":
			parts = append(parts, "CLIENT UNPAUSE")
		case "restart":
			parts = append(parts, "restarted "+s.Key)
		default:
			parts = append(parts, "nothing to undo")
		}
	}
	return strings.Join(parts, "; ")
}

// RevertAll reverts every journal entry, whether its process died or still
// runs: the faults on one server and setting at once, to the original the
// oldest of them holds. connect builds a client for an entry (from the URL
// the user gave, when the server needs a password); a nil client with a nil
// error skips the entry (and the faults on its setting). It returns the
// entries it reverted.
func RevertAll(ctx context.Context, j Journal, connect func(Entry) (*redis.Client, error), log io.Writer) ([]Entry, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	entries, err := j.List()
	if err != nil {
		return nil, err
	}
	var errs []error
	var done []Entry
	for _, g := range groups(entries) {
		e := g[0]
		c, err := connect(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s on %s: %w", e.Plan.Fault, e.Target, err))
			continue
		}
		if c == nil {
			continue
		}
		err = revert(ctx, c, e.Plan.Revert)
		_ = c.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("revert %s on %s: %w", e.Plan.Fault, e.Target, err))
			continue
		}
		what := describe(e.Plan.Revert)
		if len(g) > 1 {
			what += fmt.Sprintf(" (the original, under %d overlapping faults)", len(g))
		}
		fmt.Fprintf(log, "reverted %s on %s: %s\n", e.Plan.Fault, e.Target, what)
		for _, e := range g {
			if err := j.Remove(e.ID); err != nil {
				errs = append(errs, err)
			}
		}
		done = append(done, g...)
	}
	return done, errors.Join(errs...)
}
