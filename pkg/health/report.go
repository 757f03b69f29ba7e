package health

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/manager"
)

// judged is every check at one moment and the verdicts drawn from them.
type judged struct {
	checks   map[string][]Check
	redis    Status // worst Redis check, uncapped
	services Status // worst service check and the lifecycle
	overall  Status
	output   string // why overall is not pass
	lifeWhy  string // why the lifecycle is not pass
	snap     *manager.Snapshot
	facts    ServerFacts
	now      time.Time
}

// judge applies the rules to the cached state. It sends nothing anywhere.
// Judgements are serialised, inputs read to change noted: concurrent
// requests once judged at once and noted out of order, so one that had read
// the state from before a breaker transition logged it back after the
// transition (pass→warn→pass→warn within 2 ms).
func (c *Checker) judge() judged {
	c.judging.Lock()
	defer c.judging.Unlock()
	now := c.opts.Now()
	j := judged{checks: map[string][]Check{}, redis: Pass, services: Pass, now: now}
	var reasons []string
	c.mu.Lock()
	facts, results, resultsAt := c.facts, c.results, c.resultsAt
	c.mu.Unlock()
	j.facts = facts

	if m := c.opts.Manager; m != nil {
		s := m.Snapshot()
		j.snap = &s
		rc := redisChecks(redisInput{snap: s, facts: facts, interval: m.Options().HealthInterval, now: now}, c.opts.Thresholds)
		maps.Copy(j.checks, rc)
		j.redis = worstOf(rc)
		if j.redis != Pass {
			reasons = append(reasons, firstProblem(rc))
		}
	}
	if o := c.opts.Orchestrator; o != nil {
		st := o.Status()
		sc := serviceChecks(serviceInput{status: st, results: results, at: resultsAt, now: now})
		maps.Copy(j.checks, sc)
		life, why := lifecycleStatus(st)
		j.services = Worst(worstOf(sc), life)
		j.lifeWhy = why
		if life != Pass {
			reasons = append(reasons, why)
		} else if j.services != Pass {
			reasons = append(reasons, firstProblem(sc))
		}
	}
	limit := Warn
	if c.opts.RedisCritical {
		limit = Fail
	}
	j.overall = Worst(j.redis.capAt(limit), j.services)
	if !c.polled.Load() {
		j.overall = Fail
		reasons = append([]string{"no health check has run yet"}, reasons...)
	}
	if j.overall != Pass {
		j.output = strings.Join(reasons, "; ")
	}
	c.noteOverall(j.overall, j.output)
	return j
}

// noteOverall records a change of the overall status in the history. It
// runs under c.judging.
func (c *Checker) noteOverall(st Status, why string) {
	if c.last == st {
		return
	}
	from := string(c.last)
	c.last = st
	why = redact.String(why)
	c.hist.add(TransitionRecord{At: c.opts.Now(), Component: "health", From: from, To: string(st), Reason: why})
	c.opts.Logger.Info("health status changed", "from", from, "to", string(st), "reason", why)
}

func worstOf(checks map[string][]Check) Status {
	w := Pass
	for _, cs := range checks {
		for _, ch := range cs {
			w = Worst(w, ch.Status)
		}
	}
	return w
}

// firstProblem names the worst check, first by key, with its output.
func firstProblem(checks map[string][]Check) string {
	w := worstOf(checks)
	for _, k := range slices.Sorted(maps.Keys(checks)) {
		for _, ch := range checks[k] {
			if ch.Status == w {
				return k + ": " + ch.Output
			}
		}
	}
	return ""
}

// Basic is the load balancer's document: status and version only.
func (c *Checker) Basic() Document {
	return Document{Status: c.judge().overall, Version: c.opts.Version}
}

// Detailed is every check, the Redis view and the recent transitions.
func (c *Checker) Detailed() Document {
	j := c.judge()
	d := c.doc(j.overall, j.output, j.checks)
	if j.snap != nil {
		d.CircuitBreakerState = breakerWord(j.snap.State)
		d.Redis = redisInfo(*j.snap, j.facts, j.now)
	}
	d.Transitions = c.hist.list()
	return d
}

// Redis is the Redis document; its status is the worst Redis check, so it
// fails while the breaker is open even when the service only degrades.
func (c *Checker) Redis() Document {
	j := c.judge()
	if j.snap == nil {
		return c.doc(Fail, "no redis manager", nil)
	}
	st, out := j.redis, ""
	checks := map[string][]Check{}
	for k, v := range j.checks {
		if strings.HasPrefix(k, "redis:") {
			checks[k] = v
		}
	}
	if st != Pass {
		out = firstProblem(checks)
	}
	if !c.polled.Load() {
		st, out = Fail, "no health check has run yet"
	}
	d := c.doc(st, out, checks)
	d.CircuitBreakerState = breakerWord(j.snap.State)
	d.Redis = redisInfo(*j.snap, j.facts, j.now)
	return d
}

// Services is one check per orchestrated service, with blast radius.
func (c *Checker) Services() Document {
	j := c.judge()
	checks := map[string][]Check{}
	for k, v := range j.checks {
		if strings.HasPrefix(k, "service:") {
			checks[k] = v
		}
	}
	st, out := j.services, ""
	if st != Pass {
		out = firstProblem(checks)
		if j.lifeWhy != "" {
			out = j.lifeWhy
		}
	}
	if !c.polled.Load() {
		st, out = Fail, "no health check has run yet"
	}
	return c.doc(st, out, checks)
}

func (c *Checker) doc(st Status, output string, checks map[string][]Check) Document {
	return Document{Status: st, Version: c.opts.Version, ServiceID: c.opts.ServiceID,
		Output: output, Checks: checks}
}
