package scenario

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/rig"
	"github.com/rescli/rescli/pkg/target"
)

// Options configure a run.
type Options struct {
	Journal inject.Journal // where server faults are journaled
	Out     io.Writer      // live timeline (nil: none)
	// Warmup measures the baseline goodput before the hypothesis (default 2s).
	Warmup time.Duration
}

// Run runs the scenario. The rollbacks run whatever happens, also when ctx
// is cancelled (Ctrl-C). The error is only for a run that could not start:
// a target that cannot be reached, or a server step refused before
// anything changed (ErrRefused: every server step is planned against the
// target first).
func Run(ctx context.Context, s *Scenario, o Options) (*Report, error) {
	if o.Warmup <= 0 {
		o.Warmup = 2 * time.Second
	}
	tgt, err := target.Parse(s.Target)
	if err != nil {
		return nil, err
	}
	if _, err := PlanServerSteps(ctx, s, o.Journal); err != nil {
		return nil, err
	}
	// A proxy in front of every data node; the manager and the herds reach
	// the nodes through them, after redirects and failovers too.
	rg, err := rig.New(ctx, tgt, rig.Options{Name: "scenario"})
	if err != nil {
		return nil, fmt.Errorf("start proxies: %w", err)
	}
	defer rg.Close()
	m, err := rg.Manager(manager.Options{Name: "scenario", PoolSize: 10,
		DialTimeout: 250 * time.Millisecond, ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	if err := m.Client().Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", tgt, err)
	}
	rep := &Report{Name: s.Name, Target: tgt.String(), t0: time.Now(), w: o.Out}
	for i, st := range s.Method {
		rep.Steps = append(rep.Steps, StepReport{Step: stepPath(i), Action: stepAction(st), Status: StepNotRun})
	}
	sub := m.Subscribe(64)
	go func() {
		for t := range sub.C {
			if t.Node != "" {
				rep.add("breaker", nil, "%s %s → %s: %s", t.Node, t.From, t.To, t.Reason)
				continue
			}
			rep.add("breaker", nil, "%s → %s: %s", t.From, t.To, t.Reason)
		}
	}()
	load := startWorkload(m, s.Load)
	defer load.close()
	var herdFailed atomic.Int64
	pe := &probeEnv{m: m, load: load, herdFailed: func() int { return int(herdFailed.Load()) }}

	r := &runner{s: s, o: o, rep: rep, rig: rg, pe: pe, herdFailed: &herdFailed}
	defer r.rollback()
	if !sleepCtx(ctx, o.Warmup) {
		rep.add("abort", ptr(false), "interrupted during warm-up")
		rep.setAbort("interrupted")
		return rep, nil
	}
	pe.baseline = load.goodput(o.Warmup - bucket)
	rep.add("baseline", nil, "goodput %.0f ops/s", pe.baseline)
	rep.Before = r.hypothesis(ctx, "before", false)
	if !rep.Before {
		rep.add("verdict", ptr(false), "steady state not met before the method: method not run")
		return rep, nil
	}
	r.method(ctx)
	r.rollback()
	rep.After = r.hypothesis(ctx, "after", true)
	rep.Held = rep.Before && rep.After && rep.Abort == "" && rep.RollbackError == "" && rep.ranInFull()
	rep.add("verdict", ptr(rep.Held), "%s", verdict(rep))
	return rep, nil
}

// verdict says why the run passed or did not: "hypothesis held" only when
// the whole method ran.
func verdict(rep *Report) string {
	if rep.Held {
		return "hypothesis held"
	}
	var why []string
	if !rep.After {
		why = append(why, "the hypothesis did not hold after the method")
	}
	if rep.Abort != "" {
		why = append(why, "the method was aborted: "+rep.Abort)
	}
	if rep.RollbackError != "" {
		why = append(why, "a rollback failed: "+rep.RollbackError)
	}
	if len(why) == 0 {
		why = append(why, "the method did not run in full")
	}
	return "failed: " + strings.Join(why, "; ")
}

type runner struct {
	s          *Scenario
	o          Options
	rep        *Report
	rig        *rig.Rig // proxies in front of every node: the faults go there
	pe         *probeEnv
	herdFailed *atomic.Int64
	rolledBack sync.Once
	stop       context.CancelFunc // ends the method early; set by method
}

// hypothesis checks every probe; after the method each may take its Within
// to hold (the system must come back by itself).
func (r *runner) hypothesis(ctx context.Context, phase string, wait bool) bool {
	all := true
	for _, p := range r.s.Hypothesis {
		start := time.Now()
		ok, v := r.pe.check(ctx, p)
		for wait && !ok && time.Since(start) < p.Within.Duration && sleepCtx(ctx, 100*time.Millisecond) {
			ok, v = r.pe.check(ctx, p)
		}
		if wait && ok {
			v += fmt.Sprintf(" (held after %s)", time.Since(start).Round(10*time.Millisecond))
		}
		r.rep.add("hypothesis", ptr(ok), "%s: %s", phase, v)
		all = all && ok
	}
	return all
}
