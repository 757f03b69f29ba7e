package herd

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ErrMerge is returned when partial reports do not make up one split herd:
// replicas missing or twice, or reports of different herds.
var ErrMerge = errors.New("cannot merge")

// Merge combines the partial reports of one split herd — one per replica,
// any order — into the report one process running every replica would
// have made: counts summed; the peak taken on the time-aligned sum of the
// timelines (each strategy started at the same instant everywhere);
// start-up percentiles over every service. The server's view comes from
// obs when given (rescli herd observe), else from replica 0, which
// watched the server for all of them.
func Merge(parts []*Report, obs *Observation) (*Report, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no partial reports", ErrMerge)
	}
	first := parts[0]
	if err := checkParts(parts); err != nil {
		return nil, err
	}
	if obs != nil && !obs.StartAt.Equal(first.Split.StartAt) {
		return nil, fmt.Errorf("%w: the observation starts at %s, the herd at %s", ErrMerge,
			obs.StartAt.Format(time.RFC3339Nano), first.Split.StartAt.Format(time.RFC3339Nano))
	}
	rep := &Report{Target: first.Target, Services: first.Services, Replicas: first.Replicas, MaxClients: first.MaxClients, Seed: first.Seed}
	for k := range first.Strategies {
		rs := make([]Result, len(parts))
		replicas := make([]int, len(parts))
		for i, p := range parts {
			rs[i], replicas[i] = p.Strategies[k], p.Split.ReplicaIndex
		}
		r := mergeResults(rs, replicas)
		for _, p := range parts {
			if p.Split.ReplicaIndex == 0 {
				r.Server = p.Strategies[k].Server
			}
		}
		if obs != nil {
			r.Server = obs.server(r.Name)
		}
		if r.Server != nil {
			r.RejectedConnections += r.Server.rejected()
		}
		rep.Strategies = append(rep.Strategies, r)
	}
	rep.Simulator = combineLoads(rep.Strategies)
	return rep, nil
}

// checkParts makes sure parts are every replica of one herd, once each.
func checkParts(parts []*Report) error {
	first := parts[0]
	names := func(r *Report) string {
		var n []string
		for _, s := range r.Strategies {
			n = append(n, s.Name)
		}
		return strings.Join(n, ",")
	}
	seen := map[int]bool{}
	for _, p := range parts {
		switch {
		case p.Split == nil:
			return fmt.Errorf("%w: a report of a whole herd (%d services) is not a partial report", ErrMerge, p.Services)
		case p.Target != first.Target || p.Services != first.Services || p.Replicas != first.Replicas || p.Seed != first.Seed ||
			p.MaxClients != first.MaxClients || !p.Split.StartAt.Equal(first.Split.StartAt) || names(p) != names(first):
			return fmt.Errorf("%w: replica %d and replica %d are parts of different herds (target, services, replicas, seed, start or strategies differ)",
				ErrMerge, first.Split.ReplicaIndex, p.Split.ReplicaIndex)
		case p.Split.ReplicaIndex < 0 || p.Split.ReplicaIndex >= p.Replicas:
			return fmt.Errorf("%w: replica %d of %d does not exist", ErrMerge, p.Split.ReplicaIndex, p.Replicas)
		case seen[p.Split.ReplicaIndex]:
			return fmt.Errorf("%w: replica %d is given twice", ErrMerge, p.Split.ReplicaIndex)
		}
		seen[p.Split.ReplicaIndex] = true
	}
	var missing []string
	for i := range first.Replicas {
		if !seen[i] {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: replica %s of %d missing", ErrMerge, strings.Join(missing, ", "), first.Replicas)
	}
	return nil
}

// mergeResults sums one strategy's results from every process; replicas
// are the processes' replica indexes.
func mergeResults(rs []Result, replicas []int) Result {
	out := Result{Name: rs[0].Name, Errors: map[string]int64{}}
	var startups []int64
	var loads []Load
	for _, r := range rs {
		out.Ready += r.Ready
		out.Degraded += r.Degraded
		out.Failed += r.Failed
		out.RejectedConnections += r.RejectedConnections
		out.RejectionsSeenByClients += r.RejectionsSeenByClients
		out.ConnectionAttempts += r.ConnectionAttempts
		out.Commands += r.Commands
		out.Retries += r.Retries
		for _, k := range slices.Sorted(maps.Keys(r.Errors)) {
			out.Errors[k] += r.Errors[k]
		}
		out.WallMS = max(out.WallMS, r.WallMS)
		out.PeakConnections = max(out.PeakConnections, r.PeakConnections)
		startups = append(startups, r.StartupsMS...)
		loads = append(loads, r.Simulator)
	}
	out.Timeline = sumTimelines(rs)
	for _, s := range out.Timeline { // at any instant the sum is at least each one
		out.PeakConnections = max(out.PeakConnections, s.Connections)
	}
	slices.Sort(startups)
	out.StartupMS = percentilesMS(startups)
	if out.Failed == 0 && len(startups) > 0 {
		last := startups[len(startups)-1]
		out.AllReadyMS = &last
	}
	out.Simulator = combineProcesses(loads, replicas)
	return out
}

// sumTimelines adds the processes' timelines on a common 20ms grid: each
// process counts with its last sample at or before each instant.
func sumTimelines(rs []Result) []Sample {
	var end int64
	for _, r := range rs {
		if n := len(r.Timeline); n > 0 {
			end = max(end, r.Timeline[n-1].MS)
		}
	}
	const step = 20
	next := make([]int, len(rs)) // per process: the first sample after the instant
	var out []Sample
	for ms := int64(0); ms <= end+step-1; ms += step {
		s := Sample{MS: min(ms, end)}
		for i, r := range rs {
			for next[i] < len(r.Timeline) && r.Timeline[next[i]].MS <= s.MS {
				next[i]++
			}
			if next[i] > 0 {
				at := r.Timeline[next[i]-1]
				s.Connections += at.Connections
				s.Ready += at.Ready
			}
		}
		out = append(out, s)
	}
	return out
}

// combineProcesses sums up one strategy's loads in several processes,
// naming each by its replica.
func combineProcesses(ls []Load, replicas []int) Load {
	rs := make([]Result, len(ls))
	for i, l := range ls {
		rs[i] = Result{Name: fmt.Sprintf("replica %d", replicas[i]), Simulator: l}
	}
	out := combineLoads(rs)
	out.Processes = 0
	for _, l := range ls {
		out.Processes += max(1, l.Processes)
	}
	return out
}
