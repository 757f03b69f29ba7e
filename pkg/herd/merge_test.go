package herd

import (
	"errors"
	"testing"
	"time"
)

func part(index int, r Result) *Report {
	return &Report{Target: "redis://x:1", Services: 6, Replicas: 3, Seed: 1,
		Split:      &Split{ReplicaIndex: index, StartAt: time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC), SlotMS: 9000},
		Strategies: []Result{r}}
}

// Merging sums the counts, takes the peak on the time-aligned sum of the
// timelines (each process at its last sample), computes the percentiles
// over every service, and keeps only replica 0's server view, adding the
// server's rejections once.
func TestMergeSumsAlignsAndTakesPercentilesOverAll(t *testing.T) {
	server := &ServerDelta{Before: serverStats{RejectedConnections: 10}, After: serverStats{RejectedConnections: 17}, OwnRejections: 2, PeakClients: 9}
	parts := []*Report{
		part(2, Result{Name: "naive", Ready: 1, Failed: 1, PeakConnections: 3, Commands: 5, Errors: map[string]int64{"timeout": 1},
			Timeline: []Sample{{MS: 0}, {MS: 30, Connections: 3, Ready: 1}, {MS: 90, Connections: 1, Ready: 1}}, StartupsMS: []int64{500},
			Simulator: Load{Cores: 2, CPUPercent: 95, Saturated: true, Reason: "CPU 95% of 2 core(s)", Processes: 1}}),
		part(0, Result{Name: "naive", Ready: 2, PeakConnections: 4, Commands: 7, RejectionsSeenByClients: 5, Errors: map[string]int64{"timeout": 2, "dial": 1},
			Timeline: []Sample{{MS: 10, Connections: 4, Ready: 0}, {MS: 50, Connections: 4, Ready: 2}}, StartupsMS: []int64{100, 300},
			Server: server, Simulator: Load{Cores: 2, CPUPercent: 20, Processes: 1}}),
		part(1, Result{Name: "naive", Ready: 2, PeakConnections: 2, Commands: 1,
			Timeline: []Sample{{MS: 40, Connections: 2, Ready: 2}}, StartupsMS: []int64{200, 400},
			Simulator: Load{Cores: 2, CPUPercent: 30, Processes: 1}}),
	}
	rep, err := Merge(parts, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Strategies[0]
	if r.Ready != 5 || r.Failed != 1 || r.Commands != 13 || r.Errors["timeout"] != 3 || r.Errors["dial"] != 1 {
		t.Errorf("sums: %+v", r)
	}
	// At 40-50ms: 3 (replica 2) + 4 (replica 0) + 2 (replica 1) = 9; no
	// single process ever had more than 4.
	if r.PeakConnections != 9 {
		t.Errorf("peak %d, want 9 (the sum at 40ms)", r.PeakConnections)
	}
	if r.StartupMS != (Percentiles{P50: 300, P95: 500, P99: 500, Max: 500}) || r.AllReadyMS != nil {
		t.Errorf("start-up %+v all ready %v; want percentiles of 100..500 and never (one failed)", r.StartupMS, r.AllReadyMS)
	}
	if r.Server != server || r.RejectedConnections != 5 {
		t.Errorf("server %+v rejected %d; want replica 0's view and 17-10-2 = 5 rejected", r.Server, r.RejectedConnections)
	}
	if !r.Simulator.Saturated || r.Simulator.Processes != 3 || !rep.Simulator.Saturated || rep.Split != nil {
		t.Errorf("simulator %+v / %+v; want saturated (one process was), 3 processes", r.Simulator, rep.Simulator)
	}
}

func TestMergeRefusesIncompleteOrMixedHerds(t *testing.T) {
	ok := func(i int) *Report { return part(i, Result{Name: "naive"}) }
	other := ok(1)
	other.Seed = 2
	whole := ok(1)
	whole.Split = nil
	for name, parts := range map[string][]*Report{
		"missing":      {ok(0), ok(2)},
		"twice":        {ok(0), ok(1), ok(1), ok(2)},
		"mixed":        {ok(0), other, ok(2)},
		"whole":        {ok(0), whole, ok(2)},
		"none":         nil,
		"out of range": {ok(0), ok(1), ok(2), ok(3)},
	} {
		if _, err := Merge(parts, nil); !errors.Is(err, ErrMerge) {
			t.Errorf("%s: %v, want ErrMerge", name, err)
		}
	}
}

// The saturation verdict: each sign alone is enough, and a start-up phase
// too short to judge is never saturated.
func TestLoadJudge(t *testing.T) {
	for _, tc := range []struct {
		l    Load
		want bool
	}{
		{Load{Cores: 2, CPUPercent: 40, WaitPercent: 20, TickLateP99MS: 3, RunQueueP99MS: 2}, false},
		{Load{Cores: 2, CPUPercent: 92}, true},
		{Load{Cores: 2, CPUPercent: 60, WaitPercent: 45}, true},
		{Load{Cores: 2, CPUPercent: 10, TickLateP99MS: 80}, true},
		{Load{Cores: 2, CPUPercent: 10, RunQueueP99MS: 60}, true},
	} {
		l := tc.l
		l.judge()
		if l.Saturated != tc.want || (l.Reason != "") != tc.want {
			t.Errorf("%+v: saturated %v (%q), want %v", tc.l, l.Saturated, l.Reason, tc.want)
		}
	}
	m := startMeter()
	if l := m.stop(); l.Saturated || l.MeasuredMS >= 200 {
		t.Errorf("an instant's measurement: %+v; want not judged", l)
	}
}
