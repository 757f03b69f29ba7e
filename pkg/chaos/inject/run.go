package inject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotAllowed is returned for a target that no allow-list pattern matches.
var ErrNotAllowed = errors.New("target not in the chaos allow-list")

// Allowed reports whether addr (host:port) matches one of the patterns
// (globs over the host or host:port, e.g. "127.0.0.1", "*.staging.internal",
// "redis-*:6379").
func Allowed(addr string, patterns []string) bool {
	host := addr
	if i := strings.LastIndex(addr, ":"); i > 0 {
		host = strings.Trim(addr[:i], "[]")
	}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if ok, _ := path.Match(p, host); ok {
			return true
		}
		if ok, _ := path.Match(p, addr); ok {
			return true
		}
	}
	return false
}

// Client connects to the target with a read timeout that outlasts d.
func (t *Target) Client(d time.Duration) *redis.Client {
	o := *t.Opts
	o.ReadTimeout = max(3*time.Second, d+5*time.Second)
	return redis.NewClient(&o)
}

// Inject journals the plan, applies it, waits for its TTL or ctx (Ctrl-C,
// a signal), reverts it and clears the journal. The revert runs whatever
// happened after the journal was written, with its own deadline. A fault
// on a setting other faults hold already composes with them (compose.go):
// p's revert and description are rewritten to match.
func Inject(ctx context.Context, t *Target, p *Plan, j Journal, log io.Writer) error {
	c := t.Client(p.Duration)
	defer c.Close()
	// Open the admin connection before the fault: a lowered maxclients
	// must not lock rescli out of its own revert.
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("connect to %s (%s): %w", t.Node.Addr, t.Label, err)
	}
	e, applyErr, err := begin(ctx, t, p, j, c, log)
	if err != nil {
		return err
	}
	if applyErr == nil && p.Fault != "sleep" && !Oneshot(p.Fault) { // DEBUG SLEEP already took its time
		timer := time.NewTimer(p.Duration)
		select {
		case <-timer.C:
			fmt.Fprintf(log, "TTL %s reached\n", p.Duration)
		case <-ctx.Done():
			timer.Stop()
			fmt.Fprintf(log, "interrupted (%v)\n", context.Cause(ctx))
		}
	}
	rctx := context.WithoutCancel(ctx)
	if p.halt != nil {
		hctx, cancel := context.WithTimeout(rctx, 10*time.Second)
		if err := p.halt(hctx); err != nil {
			fmt.Fprintf(log, "%v; reverting anyway\n", err)
		}
		cancel()
	}
	revErr := finish(rctx, j, c, e, log)
	if applyErr != nil {
		return errors.Join(fmt.Errorf("apply %s: %w", p.Fault, applyErr), revErr)
	}
	return revErr
}

// begin journals the fault and applies it. A fault that holds a setting is
// composed with the journal and applied under the journal's lock, so that
// no other process reads or changes that setting in between. An error
// means nothing changed; applyErr means the fault may be partly on and
// must be reverted.
func begin(ctx context.Context, t *Target, p *Plan, j Journal, c *redis.Client, log io.Writer) (e Entry, applyErr, err error) {
	if settingOf(*p) != "" {
		unlock, err := j.lock(ctx)
		if err != nil {
			return e, nil, err
		}
		defer unlock()
		if err := adopt(ctx, j, c, p, t.Opts.Addr); err != nil {
			return e, nil, err
		}
	}
	now := time.Now()
	e = Entry{ID: newID(), Created: now, Expires: now.Add(p.Duration), PID: os.Getpid(),
		Target: t.Label, Addr: t.Opts.Addr, Role: t.Node.Role, Username: t.Opts.Username, DB: t.Opts.DB,
		TLS: t.Opts.TLSConfig != nil, Plan: *p}
	if err := j.Write(e); err != nil {
		return e, nil, err
	}
	fmt.Fprintf(log, "applying: %s\n", p.Description)
	return e, p.apply(ctx, c), nil
}

// finish ends e's fault under the journal's lock: the revert, or the value
// of the newest other fault on the same setting (endSteps); then its entry
// goes. An entry already gone was reverted by `rescli chaos revert`: the
// server is left alone.
func finish(ctx context.Context, j Journal, c *redis.Client, e Entry, log io.Writer) error {
	unlock, err := j.lock(ctx)
	if err != nil {
		return fmt.Errorf("revert failed, journal kept (run rescli chaos revert): %w", err)
	}
	defer unlock()
	entries, err := j.List()
	if err != nil {
		return fmt.Errorf("revert failed, journal kept (run rescli chaos revert): %w", err)
	}
	if !slices.ContainsFunc(entries, func(x Entry) bool { return x.ID == e.ID }) {
		fmt.Fprintln(log, "already reverted: the journal no longer holds this fault (rescli chaos revert ended it)")
		return nil
	}
	steps, what := endSteps(entries, e)
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := revertWithRetry(rctx, c, steps); err != nil {
		return fmt.Errorf("revert failed, journal kept (run rescli chaos revert): %w", err)
	}
	fmt.Fprintln(log, what)
	return j.Remove(e.ID)
}
