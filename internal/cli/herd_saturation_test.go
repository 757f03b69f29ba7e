package cli

import (
	"testing"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
)

// The simulator says when it was the bottleneck. A thousand naive services
// retrying at once in a process allowed one core is saturated. Forty
// managed services against a slow server (50ms a reply, behind a fault
// proxy) take over a second to start while the simulator idles: not
// saturated — a slow server is the strategy's weather, not the machine's.
func TestHerdReportsItsOwnSaturation(t *testing.T) {
	busy := decodeReport(t, rescliProcess(t, []string{"GOMAXPROCS=1"}, "herd", "--embedded", "--services", "1000",
		"--strategy", "naive", "--startup-timeout", "1s", "--steady", "10ms", "-o", "json"))
	l := busy.Strategies[0].Simulator
	t.Logf("1000 naive on 1 core: %+v", l)
	if !l.Saturated || !busy.Simulator.Saturated || l.Cores != 1 || l.Reason == "" {
		t.Errorf("1000 naive services on GOMAXPROCS=1: %+v; want saturated on 1 core, with a reason", l)
	}

	srv := redistest.Start(t)
	slow := chaos.NewProxy("slow", "127.0.0.1:0", srv.Addr)
	if _, err := slow.AddToxic(chaos.Toxic{Name: "slow", Type: "latency", Toxicity: 1, Attributes: chaos.Attributes{"latency": 50}}); err != nil {
		t.Fatal(err)
	}
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	calm := decodeReport(t, rescliProcess(t, nil, "herd", "--redis-url", "redis://"+slow.Addr(), "--services", "40",
		"--strategy", "managed", "--steady", "10ms", "-o", "json"))
	r := calm.Strategies[0]
	l = r.Simulator
	t.Logf("40 managed, slow server: %d ready, %+v", r.Ready, l)
	if r.Ready != 40 || l.Saturated || calm.Simulator.Saturated || l.MeasuredMS < 1000 {
		t.Errorf("40 managed services against a slow server: %d ready, %+v; want all ready, not saturated, judged over a second or more", r.Ready, l)
	}
}
