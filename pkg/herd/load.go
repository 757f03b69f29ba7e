package herd

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"time"
)

// Saturation thresholds. A herd measures the clients it simulates; when the
// process running them has no CPU left, or its goroutines wait for the CPU,
// start-up times and timeouts describe this machine rather than the
// strategy. Any one sign is enough, over a start-up phase of at least
// minJudged: saturation is a state that lasts, and in a shorter phase one
// stall (a GC, another process) is the whole 99th percentile:
//   - busy: the process used saturatedCPUPercent of the cores it may use
//     (CPU time over wall time × GOMAXPROCS);
//   - wanting: CPU used plus CPU its threads waited for reach 100 % of its
//     cores (Linux): it wanted more than it had, from other processes or
//     from itself;
//   - late: a goroutine sleeping tickPeriod woke saturatedLate later than
//     asked at the 99th percentile, or runnable goroutines waited as long
//     for a CPU: every simulated service waited as long, at every step.
const (
	saturatedCPUPercent = 90
	saturatedLate       = 50 * time.Millisecond
	tickPeriod          = 10 * time.Millisecond
	minJudged           = time.Second
)

// Load is what running the simulated services cost the simulator itself
// during one strategy's start-up phase (from the start until every service
// settled): the measure of whether the simulator was the bottleneck.
type Load struct {
	// Cores is GOMAXPROCS: the cores this process may use (Go derives it
	// from the CPU count and a container's CPU limit).
	Cores int `json:"cores"`
	// CPUPercent is process CPU time over wall time × Cores; 0 where the OS
	// does not tell (it is measured on Unix).
	CPUPercent float64 `json:"cpu_percent"`
	// WaitPercent is the time its threads waited for a CPU while runnable,
	// over the same wall time × Cores (Linux): CPU it wanted and did not get.
	WaitPercent float64 `json:"cpu_wait_percent"`
	// TickLateP99MS and TickLateMaxMS are how late a goroutine sleeping
	// 10 ms woke up: scheduling delay that every simulated service met too.
	TickLateP99MS float64 `json:"tick_late_p99_ms"`
	TickLateMaxMS float64 `json:"tick_late_max_ms"`
	// RunQueueP99MS is how long runnable goroutines waited for a CPU (the
	// Go scheduler's own histogram), at the 99th percentile: a reply read
	// off a socket waits as long before its service sees it.
	RunQueueP99MS float64 `json:"run_queue_p99_ms"`
	// MeasuredMS is how long the measurement ran: the start-up phase. One
	// shorter than a second is not judged (never saturated).
	MeasuredMS int64 `json:"measured_ms"`
	// Saturated says the simulator was the bottleneck; Reason says why.
	Saturated bool   `json:"saturated"`
	Reason    string `json:"reason,omitempty"`
	// Processes is how many processes ran this strategy's services (more
	// than 1 for a merged split herd; saturated if any one was).
	Processes int `json:"processes"`
}

// meter measures a Load from its start until stop.
type meter struct {
	start     time.Time
	cpuStart  time.Duration
	cpuKnown  bool
	waitStart time.Duration
	waitKnown bool
	done      chan struct{}
	stopped   chan struct{}
	late      []time.Duration
	sched     *metrics.Float64Histogram
}

const schedLatencies = "/sched/latencies:seconds"

// schedHistogram reads the runtime's histogram of time goroutines spent
// runnable before running.
func schedHistogram() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// histP99 is the 99th percentile of the counts added between a and b, in
// seconds (the upper edge of its bucket).
func histP99(a, b *metrics.Float64Histogram) float64 {
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) {
		return 0
	}
	var total uint64
	for i := range b.Counts {
		total += b.Counts[i] - a.Counts[i]
	}
	if total == 0 {
		return 0
	}
	want := uint64(float64(total) * 0.99)
	var seen uint64
	for i := range b.Counts {
		seen += b.Counts[i] - a.Counts[i]
		if seen > want {
			return b.Buckets[min(i+1, len(b.Buckets)-1)]
		}
	}
	return 0
}

func startMeter() *meter {
	m := &meter{start: time.Now(), done: make(chan struct{}), stopped: make(chan struct{})}
	m.cpuStart, m.cpuKnown = processCPU()
	m.sched = schedHistogram()
	m.waitStart, m.waitKnown = runDelay()
	go m.tick()
	return m
}

// tick sleeps tickPeriod again and again and records how late it woke.
// A timer, not a Ticker: a Ticker drops the ticks it could not deliver,
// and so hides exactly the delays this measures.
func (m *meter) tick() {
	defer close(m.stopped)
	t := time.NewTimer(tickPeriod)
	defer t.Stop()
	asked := time.Now()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			now := time.Now()
			m.late = append(m.late, max(0, now.Sub(asked)-tickPeriod))
			asked = now
			t.Reset(tickPeriod)
		}
	}
}

// stop ends the measurement and judges it.
func (m *meter) stop() Load {
	wall := time.Since(m.start)
	cpu, ok := processCPU()
	sched := schedHistogram()
	wait, waitOK := runDelay()
	close(m.done)
	<-m.stopped
	l := Load{Cores: runtime.GOMAXPROCS(0), Processes: 1, MeasuredMS: wall.Milliseconds()}
	if ok && m.cpuKnown && wall > 0 {
		l.CPUPercent = round1(100 * (cpu - m.cpuStart).Seconds() / (wall.Seconds() * float64(l.Cores)))
	}
	if waitOK && m.waitKnown && wall > 0 {
		l.WaitPercent = round1(100 * (wait - m.waitStart).Seconds() / (wall.Seconds() * float64(l.Cores)))
	}
	if len(m.late) > 0 {
		slices.Sort(m.late)
		l.TickLateP99MS = msf(m.late[int(0.99*float64(len(m.late)-1)+0.5)])
		l.TickLateMaxMS = msf(m.late[len(m.late)-1])
	}
	l.RunQueueP99MS = round1(1000 * histP99(m.sched, sched))
	if wall >= minJudged {
		l.judge()
	}
	return l
}

// judge sets Saturated and Reason from the measured values.
func (l *Load) judge() {
	var why []string
	if l.CPUPercent >= saturatedCPUPercent {
		why = append(why, fmt.Sprintf("CPU %.0f%% of %d core(s)", l.CPUPercent, l.Cores))
	} else if l.CPUPercent+l.WaitPercent >= 100 {
		why = append(why, fmt.Sprintf("CPU %.0f%% of %d core(s) and %.0f%% more waited for", l.CPUPercent, l.Cores, l.WaitPercent))
	}
	if l.TickLateP99MS >= msf(saturatedLate) {
		why = append(why, fmt.Sprintf("a 10ms timer fired %.0fms late (p99)", l.TickLateP99MS))
	}
	if l.RunQueueP99MS >= msf(saturatedLate) {
		why = append(why, fmt.Sprintf("goroutines waited %.0fms for a CPU (p99)", l.RunQueueP99MS))
	}
	l.Saturated, l.Reason = len(why) > 0, strings.Join(why, ", ")
}

func msf(d time.Duration) float64 { return round1(float64(d) / float64(time.Millisecond)) }

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// combineLoads sums up the strategies' loads: the largest of each value,
// saturated if any was, each reason named by its strategy.
func combineLoads(rs []Result) Load {
	var out Load
	var why []string
	for _, r := range rs {
		l := r.Simulator
		out.Cores = max(out.Cores, l.Cores)
		out.CPUPercent = max(out.CPUPercent, l.CPUPercent)
		out.WaitPercent = max(out.WaitPercent, l.WaitPercent)
		out.TickLateP99MS = max(out.TickLateP99MS, l.TickLateP99MS)
		out.TickLateMaxMS = max(out.TickLateMaxMS, l.TickLateMaxMS)
		out.RunQueueP99MS = max(out.RunQueueP99MS, l.RunQueueP99MS)
		out.Processes = max(out.Processes, l.Processes)
		out.MeasuredMS = max(out.MeasuredMS, l.MeasuredMS)
		if l.Saturated {
			out.Saturated = true
			why = append(why, r.Name+": "+l.Reason)
		}
	}
	out.Reason = strings.Join(why, "; ")
	return out
}
