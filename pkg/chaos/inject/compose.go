package inject

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

// Faults on the same server and setting compose. The journal is the record
// of which faults are on: every entry counts until it is removed, whatever
// its process or TTL (a dead process's config fault stays set until
// someone reverts it).
//
//   - A config fault (maxclients, maxmemory) applied while others on the
//     same setting are on takes the original value from the oldest of them,
//     not from the server, which holds their value.
//   - When one ends while others are on, the setting goes to the value of
//     the newest one left; the original comes back when the last one ends.
//   - `rescli chaos revert` restores the original of each setting once and
//     clears all its entries.
//   - A second pause is refused: Redis keeps one pause per server, and
//     cannot end one of two.
//
// Reading the entries, changing the server to match and writing the
// entries back happen under the journal's lock, one process at a time.

// ErrOverlap is returned for a fault that cannot be laid over another one
// already on for the same setting (a second pause on one server).
var ErrOverlap = errors.New("another fault holds this setting")

// settingOf names what p's fault holds changed. Entries journaled before
// Plan.Setting existed are read from their revert steps.
func settingOf(p Plan) string {
	if p.Setting != "" {
		return p.Setting
	}
	for _, s := range p.Revert {
		switch s.Kind {
		case "config":
			return s.Key
		case "unpause":
			return "pause"
		}
	}
	return ""
}

// holding returns the entries whose fault holds setting on addr, oldest
// first (as List orders them).
func holding(entries []Entry, addr, setting string) []Entry {
	if setting == "" {
		return nil
	}
	var out []Entry
	for _, e := range entries {
		if e.Addr == addr && settingOf(e.Plan) == setting {
			out = append(out, e)
		}
	}
	return out
}

// Compose makes p a fault on top of those the journal holds for the same
// server (addr) and setting: see the rules above. Inject composes again
// under the journal's lock; call Compose before showing a plan, so that it
// says what will be restored.
func Compose(j Journal, addr string, p *Plan) error {
	entries, err := j.List()
	if err != nil {
		return err
	}
	return compose(holding(entries, addr, settingOf(*p)), addr, p)
}

func compose(others []Entry, addr string, p *Plan) error {
	if len(others) == 0 {
		return nil
	}
	if settingOf(*p) == "pause" {
		o := others[len(others)-1]
		return fmt.Errorf("pause: %w: a pause fault is on %s already (pid %d, until %s); Redis keeps one pause per server and cannot end one of two: wait for it to end, or end it with rescli chaos revert",
			ErrOverlap, addr, o.PID, o.Expires.Local().Format(time.TimeOnly))
	}
	p.Revert = slices.Clone(others[0].Plan.Revert)
	describeConfig(p, len(others))
	return nil
}

// adopt composes e's plan with the journal under the lock. With no other
// fault on the setting, a config fault's original is read again from the
// server: one that ended since the plan was made has restored it.
func adopt(ctx context.Context, j Journal, c *redis.Client, p *Plan, addr string) error {
	entries, err := j.List()
	if err != nil {
		return err
	}
	others := holding(entries, addr, settingOf(*p))
	if len(others) == 0 && p.Value != "" && len(p.Revert) == 1 && p.Revert[0].Kind == "config" {
		cur, err := c.ConfigGet(ctx, p.Setting).Result()
		if err == nil && cur[p.Setting] == "" {
			err = errors.New("CONFIG GET gave nothing")
		}
		if err != nil {
			return fmt.Errorf("%s: read the value to restore: %w", p.Setting, err)
		}
		p.Revert[0].Value = cur[p.Setting]
		describeConfig(p, 0)
	}
	return compose(others, addr, p)
}

// endSteps says how ending e's fault changes the server: its revert, or,
// while other config faults on the same setting are on, the newest one's
// value, with words for people.
func endSteps(entries []Entry, e Entry) ([]Step, string) {
	var others []Entry
	for _, o := range holding(entries, e.Addr, settingOf(e.Plan)) {
		if o.ID != e.ID {
			others = append(others, o)
		}
	}
	steps := e.Plan.Revert
	if len(others) == 0 || len(steps) != 1 || steps[0].Kind != "config" {
		return steps, "reverted: " + describe(steps)
	}
	newest := others[len(others)-1]
	if newest.Plan.Value == "" { // journaled before Plan.Value: its value is unknown
		return nil, fmt.Sprintf("ended: %s left as it is, %d other fault(s) on it still on", steps[0].Key, len(others))
	}
	keep := []Step{{Kind: "config", Key: steps[0].Key, Value: newest.Plan.Value}}
	return keep, fmt.Sprintf("ended: %s, the value of the newest of %d other fault(s) on %s still on (pid %d); the original %s comes back when the last one ends",
		describe(keep), len(others), steps[0].Key, newest.PID, steps[0].Value)
}

// groups splits entries into the sets `chaos revert` undoes at once: the
// faults on one server and setting (the oldest first, holding the
// original), and each fault without a setting alone.
func groups(entries []Entry) [][]Entry {
	var out [][]Entry
	seen := map[string]bool{}
	for _, e := range entries {
		s := settingOf(e.Plan)
		if s == "" {
			out = append(out, []Entry{e})
			continue
		}
		if key := e.Addr + "\x00" + s; !seen[key] {
			seen[key] = true
			out = append(out, holding(entries, e.Addr, s))
		}
	}
	return out
}
