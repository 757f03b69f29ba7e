package cli

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The simulator says when it was the bottleneck: a thousand naive services
// retrying at once in a process allowed one core is saturated; forty
// services that start spread over 200ms, with every core and room on the
// proxy, are not (and their start-up lasts long enough to be judged).
func TestHerdReportsItsOwnSaturation(t *testing.T) {
	busy := decodeReport(t, rescliProcess(t, []string{"GOMAXPROCS=1"}, "herd", "--embedded", "--services", "1000",
		"--strategy", "naive", "--startup-timeout", "1s", "--steady", "10ms", "-o", "json"))
	l := busy.Strategies[0].Simulator
	t.Logf("1000 naive on 1 core: %+v", l)
	if !l.Saturated || !busy.Simulator.Saturated || l.Cores != 1 || l.Reason == "" {
		t.Errorf("1000 naive services on GOMAXPROCS=1: %+v; want saturated on 1 core, with a reason", l)
	}

	// A machine already busier than its cores (other tests, other
	// processes) makes any run wait for the CPU, and the simulator rightly
	// says so: a calm run can only be shown on a calm machine.
	if load := loadAverage(); load > float64(runtime.NumCPU()) {
		t.Skipf("the machine is busy (load %.1f on %d cores): a calm run cannot be shown now", load, runtime.NumCPU())
	}
	calm := decodeReport(t, rescliProcess(t, nil, "herd", "--embedded", "--services", "40",
		"--strategy", "jitter", "--maxclients", "1000", "--steady", "10ms", "-o", "json"))
	l = calm.Strategies[0].Simulator
	t.Logf("40 jittered: %+v", l)
	if l.Saturated || calm.Simulator.Saturated || l.MeasuredMS < 200 {
		t.Errorf("40 jittered services: %+v; want not saturated, judged over 200ms or more", l)
	}
}

// loadAverage is the one-minute load average (0 where unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
