package inject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/target"
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

// Target is where a fault goes.
type Target struct {
	URL  string
	Opts *redis.Options
}

// NewTarget parses a URL. A redis+sentinel:// URL targets its first
// Sentinel (for failover; give a data node's redis:// URL for the other
// faults), a redis+cluster:// URL its first seed node.
func NewTarget(url string) (*Target, error) {
	o, err := redis.ParseURL(url)
	if t, terr := target.Parse(url); terr == nil && t.Kind != target.Standalone {
		o, err = t.DataOptions(t.Addrs[0]), nil
		if t.Kind == target.Sentinel {
			o = t.SentinelOptions(t.Addrs[0])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parse redis url %s: %w", redact.URL(url), err)
	}
	o.MaxRetries, o.DisableIdentity, o.PoolSize = -1, true, 2
	return &Target{URL: url, Opts: o}, nil
}

// Client connects to the target with a read timeout that outlasts d.
func (t *Target) Client(d time.Duration) *redis.Client {
	o := *t.Opts
	o.ReadTimeout = max(3*time.Second, d+5*time.Second)
	return redis.NewClient(&o)
}

// Inject journals the plan, applies it, waits for its TTL or ctx (Ctrl-C,
// SIGTERM), reverts it and clears the journal. The revert runs whatever
// happened after the journal was written, with its own deadline.
func Inject(ctx context.Context, t *Target, p *Plan, j Journal, log io.Writer) error {
	c := t.Client(p.Duration)
	defer c.Close()
	// Open the admin connection before the fault: a lowered maxclients
	// must not lock rescli out of its own revert.
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("connect to %s: %w", redact.URL(t.URL), err)
	}
	now := time.Now()
	e := Entry{ID: newID(), Created: now, Expires: now.Add(p.Duration), PID: os.Getpid(),
		Target: redact.URL(t.URL), Addr: t.Opts.Addr, Username: t.Opts.Username, DB: t.Opts.DB,
		TLS: t.Opts.TLSConfig != nil, Plan: *p}
	if err := j.Write(e); err != nil {
		return err
	}
	fmt.Fprintf(log, "applying: %s\n", p.Description)
	applyErr := p.apply(ctx, c)
	if applyErr == nil && p.Fault != "sleep" { // DEBUG SLEEP already took its time
		timer := time.NewTimer(p.Duration)
		select {
		case <-timer.C:
			fmt.Fprintf(log, "TTL %s reached\n", p.Duration)
		case <-ctx.Done():
			timer.Stop()
			fmt.Fprintf(log, "interrupted (%v)\n", context.Cause(ctx))
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	revErr := revertWithRetry(rctx, c, p.Revert)
	if revErr == nil {
		fmt.Fprintf(log, "reverted: %s\n", describe(p.Revert))
		revErr = j.Remove(e.ID)
	} else {
		revErr = fmt.Errorf("revert failed, journal kept (run rescli chaos revert): %w", revErr)
	}
	if applyErr != nil {
		return errors.Join(fmt.Errorf("apply %s: %w", p.Fault, applyErr), revErr)
	}
	return revErr
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

// RevertAll reverts every journal entry. connect builds a client for an
// entry (from the URL the user gave, when the server needs a password); a
// nil client with a nil error skips the entry.
func RevertAll(ctx context.Context, j Journal, connect func(Entry) (*redis.Client, error), log io.Writer) (int, error) {
	entries, err := j.List()
	if err != nil {
		return 0, err
	}
	var errs []error
	done := 0
	for _, e := range entries {
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
		fmt.Fprintf(log, "reverted %s on %s: %s\n", e.Plan.Fault, e.Target, describe(e.Plan.Revert))
		if err := j.Remove(e.ID); err != nil {
			errs = append(errs, err)
		}
		done++
	}
	return done, errors.Join(errs...)
}
