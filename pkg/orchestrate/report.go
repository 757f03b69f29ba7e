package orchestrate

import (
	"cmp"
	"slices"
	"time"
)

// Report is the outcome of Run: one entry per service in declaration order,
// the critical path and the total start-up time. All times are offsets from
// the moment Run began.
type Report struct {
	Services []ServiceReport
	// CriticalPath names the chain of services that decided the total
	// start-up time, first to last: the service that ended last, preceded
	// by the dependency that held it up longest, and so on back to a root.
	CriticalPath []string
	// Total is the time from Run's start until start-up settled (before any
	// rollback).
	Total time.Duration
	// Seed is the seed jitter and backoff were drawn with (Options.Seed).
	Seed uint64
}

// ServiceReport is one service's start-up. Times are zero for a service
// that never began to start.
type ServiceReport struct {
	Name      string
	Result    Result
	Critical  bool
	Phase     int // 1-based
	DependsOn []string
	Ready     time.Duration // its dependencies were all up
	Start     time.Duration // its first attempt began
	Wait      time.Duration // time before Start: dependencies, jitter, slot
	Own       time.Duration // attempts and backoff, Start to End
	End       time.Duration // it came up, or gave up
	Attempts  int
	Retries   int
	Err       error
}

// Service returns the report of the named service.
func (r Report) Service(name string) (ServiceReport, bool) {
	i := slices.IndexFunc(r.Services, func(s ServiceReport) bool { return s.Name == name })
	if i < 0 {
		return ServiceReport{}, false
	}
	return r.Services[i], true
}

func (o *Orchestrator) report(total time.Duration) *Report {
	o.mu.Lock()
	defer o.mu.Unlock()
	rep := &Report{Total: total, Seed: o.opts.Seed}
	for _, n := range o.nodes {
		rep.Services = append(rep.Services, o.serviceReport(n))
	}
	rep.CriticalPath = o.g.names(o.criticalPath())
	return rep
}

func (o *Orchestrator) serviceReport(n *node) ServiceReport {
	sr := ServiceReport{
		Name: n.svc.Name, Result: n.state.result(), Critical: n.svc.Critical,
		Phase: o.g.phase[n.idx] + 1, DependsOn: o.g.names(o.g.deps[n.idx]),
		Attempts: n.attempts, Err: n.err,
	}
	if n.attempts > 0 {
		sr.Ready, sr.Start, sr.Wait = n.readyAt, n.beginAt, n.beginAt
		sr.End, sr.Own = n.endAt, n.endAt-n.beginAt
		sr.Retries = n.attempts - 1
	}
	return sr
}

// criticalPath walks back from the service that ended last through the
// dependency that ended last, and returns the chain root first.
func (o *Orchestrator) criticalPath() []int {
	var ran []*node
	for _, n := range o.nodes {
		if n.state.result() != ResultSkipped && n.attempts > 0 {
			ran = append(ran, n)
		}
	}
	if len(ran) == 0 {
		return nil
	}
	cur := slices.MaxFunc(ran, byEnd)
	path := []int{cur.idx}
	for len(o.g.deps[cur.idx]) > 0 {
		deps := make([]*node, 0, len(o.g.deps[cur.idx]))
		for _, d := range o.g.deps[cur.idx] {
			deps = append(deps, o.nodes[d])
		}
		cur = slices.MaxFunc(deps, byEnd)
		path = append(path, cur.idx)
	}
	slices.Reverse(path)
	return path
}

// byEnd orders nodes by end time, then by reverse declaration order so that
// MaxFunc picks the first declared among equals.
func byEnd(a, b *node) int {
	if c := cmp.Compare(a.endAt, b.endAt); c != 0 {
		return c
	}
	return cmp.Compare(b.idx, a.idx)
}

func sortByEnd(nodes []*node) {
	slices.SortStableFunc(nodes, func(a, b *node) int { return cmp.Compare(a.endAt, b.endAt) })
}
