package inject

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redisinfo"
)

// planConfig plans maxclients N or maxmemory BYTES: CONFIG SET, the value
// it had restored at the end. The revert's CONFIG SET is tried first (with
// the current value, which changes nothing), and a maxmemory that would
// make the eviction policy drop keys needs Spec.AllowDataLoss.
func planConfig(ctx context.Context, c *redis.Client, s Spec) (*Plan, error) {
	if len(s.Args) != 1 {
		return nil, fmt.Errorf("%s takes one value, e.g. %s 10", s.Fault, s.Fault)
	}
	n, err := strconv.ParseUint(s.Args[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s value %q is not a whole number", s.Fault, s.Args[0])
	}
	old, err := c.ConfigGet(ctx, s.Fault).Result()
	if err != nil || old[s.Fault] == "" {
		return nil, fmt.Errorf("%s: %w: CONFIG GET %s is not allowed (%v); use a user that may run CONFIG GET and CONFIG SET (ACL +config|get +config|set), or a proxy fault instead (rescli chaos proxy --toxic maxclients,limit=N)", s.Fault, ErrNotRevertible, s.Fault, err)
	}
	key, value, prev := s.Fault, s.Args[0], old[s.Fault]
	if err := probeConfigSet(ctx, c, key, prev); err != nil {
		return nil, err
	}
	p := &Plan{
		Fault: s.Fault, Duration: s.Duration, Revert: []Step{{Kind: "config", Key: key, Value: prev}},
		Setting: key, Value: value,
		apply: func(ctx context.Context, c *redis.Client) error {
			return c.ConfigSet(ctx, key, value).Err()
		},
	}
	if key == "maxmemory" {
		loss, err := evictionEstimate(ctx, c, n)
		if err != nil {
			return nil, err
		}
		switch {
		case loss.keys > 0 && !s.AllowDataLoss:
			return nil, fmt.Errorf("maxmemory: %w: %s; to accept that, pass --allow-data-loss", ErrDataLoss, loss.what)
		case loss.keys > 0:
			p.Warning = "destroys data (acknowledged): " + loss.what
		default:
			p.Warning = loss.what
		}
	}
	describeConfig(p, 0)
	return p, nil
}

// describeConfig writes the plan's description; others is the number of
// faults already on for the same setting, whose original p restores.
func describeConfig(p *Plan, others int) {
	orig := p.Revert[0].Value
	if others == 0 {
		p.Description = fmt.Sprintf("CONFIG SET %s %s (was %s; restored after %s)", p.Setting, p.Value, orig, p.Duration)
		return
	}
	p.Description = fmt.Sprintf("CONFIG SET %s %s on top of %d other fault(s) on %s (the original %s, from the journal, is restored when the last of them ends; this one ends after %s)",
		p.Setting, p.Value, others, p.Setting, orig, p.Duration)
}

// eviction is what a maxmemory limit would do to the data set now.
type eviction struct {
	keys int64  // keys an estimate says would be evicted
	what string // for people: what would be destroyed, or what breaks instead
}

// evictionEstimate estimates from INFO memory and keyspace how many keys a
// maxmemory of limit bytes would make the eviction policy drop now: the
// share of the data set above the limit, taken from the keys the policy may
// evict (all keys, or those with a TTL for volatile-*). It assumes keys of
// even size: an estimate, and said to be one.
func evictionEstimate(ctx context.Context, c *redis.Client, limit uint64) (eviction, error) {
	cfg, err := c.ConfigGet(ctx, "maxmemory-policy").Result()
	if err != nil {
		return eviction{}, fmt.Errorf("maxmemory: read maxmemory-policy: %w", err)
	}
	policy := cfg["maxmemory-policy"]
	info, err := c.Info(ctx, "memory", "keyspace").Result()
	if err != nil {
		return eviction{}, fmt.Errorf("maxmemory: read INFO memory: %w", err)
	}
	ks := parseKeyspace(info)
	used, dataset := ks.fields.Int("used_memory"), max(1, ks.fields.Int("used_memory_dataset"))
	if limit == 0 { // no limit: nothing is evicted, no write fails
		return eviction{}, nil
	}
	if uint64(used) <= limit {
		return eviction{what: fmt.Sprintf("used_memory %d is within the limit now; under maxmemory-policy %s, writes past it %s", used, policy, pastLimit(policy))}, nil
	}
	evictable := ks.keys
	if strings.HasPrefix(policy, "volatile-") {
		evictable = ks.volatile
	}
	if policy == "noeviction" || evictable == 0 {
		return eviction{what: fmt.Sprintf("used_memory %d is above the limit under maxmemory-policy %s: writes fail with OOM while the fault is on, no key is evicted", used, policy)}, nil
	}
	share := float64(int64(used)-int64(limit)) / float64(dataset)
	n := min(evictable, int64(share*float64(ks.keys)+0.999))
	return eviction{keys: n, what: fmt.Sprintf(
		"maxmemory %d is below used_memory %d under maxmemory-policy %s: about %d of %d keys would be evicted, lost for good (an estimate from INFO memory and keyspace)",
		limit, used, policy, n, ks.keys)}, nil
}

func pastLimit(policy string) string {
	if policy == "noeviction" {
		return "fail with OOM"
	}
	return "evict keys"
}

// keyspace is INFO memory and keyspace read: the fields, and the keys of
// every database summed (dbN:keys=K,expires=E,...).
type keyspace struct {
	fields         redisinfo.Fields
	keys, volatile int64
}

func parseKeyspace(info string) keyspace {
	ks := keyspace{fields: redisinfo.Parse(info)}
	for name, v := range ks.fields {
		if _, err := strconv.Atoi(strings.TrimPrefix(name, "db")); err != nil || !strings.HasPrefix(name, "db") {
			continue // not a dbN line
		}
		for _, kv := range strings.Split(v, ",") {
			k, n, _ := strings.Cut(kv, "=")
			i, _ := strconv.ParseInt(n, 10, 64)
			switch k {
			case "keys":
				ks.keys += i
			case "expires":
				ks.volatile += i
			}
		}
	}
	return ks
}
