package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/herd"
)

// rescliProcess runs rescli as its own OS process (testscript.Main put the
// test binary in PATH as "rescli") and returns its stdout.
func rescliProcess(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("rescli", args...)
	cmd.Env = append(os.Environ(), append([]string{"REDIS_URL=", "NO_COLOR=1"}, env...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("rescli %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes()
}

func decodeReport(t *testing.T, b []byte) *herd.Report {
	t.Helper()
	var rep herd.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, b)
	}
	return &rep
}

// A herd split over four real OS processes against one real redis-server,
// each running one replica from the same instant, merges into the report
// one process with --replicas 4 prints: the same ready and failed counts,
// and a peak that the server's own connected_clients confirms within 5 %.
func TestSplitHerdOverFourProcessesMerges(t *testing.T) {
	srv := redistest.Start(t)
	common := []string{"herd", "--redis-url", srv.URL(), "--services", "80", "--replicas", "4",
		"--strategy", "naive,managed", "--startup-timeout", "4s", "--steady", "200ms"}
	single := decodeReport(t, rescliProcess(t, nil, append(common, "-o", "json")...))

	start := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
	dir := t.TempDir()
	var wg sync.WaitGroup
	files := make([]string, 4)
	// An observer beside them: the server's view from a process that runs
	// no services.
	var observation []byte
	wg.Add(1)
	go func() {
		defer wg.Done()
		observation = rescliProcess(t, nil, "herd", "observe", "--redis-url", srv.URL(), "--strategy", "naive,managed",
			"--startup-timeout", "4s", "--steady", "200ms", "--start-at", start)
	}()
	for i := range 4 {
		files[i] = filepath.Join(dir, fmt.Sprintf("part%d.json", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := rescliProcess(t, nil, append(common, "--replica-index", fmt.Sprint(i), "--start-at", start)...)
			if err := os.WriteFile(files[i], out, 0o600); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		matchesSchema(t, schemaHerdPartial, b)
	}
	matchesSchema(t, schemaHerdObserve, observation)
	var out, errOut strings.Builder
	code := Main(append([]string{"herd", "merge", "-o", "json"}, files...), IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("herd merge: exit %d: %s", code, errOut.String())
	}
	merged := decodeReport(t, []byte(out.String()))
	matchesSchema(t, schemaHerd, []byte(out.String()))
	if merged.Simulator.Processes != 4 || merged.Services != 80 || merged.Replicas != 4 {
		t.Errorf("merged header: %d processes, %d services, %d replicas", merged.Simulator.Processes, merged.Services, merged.Replicas)
	}
	for k, m := range merged.Strategies {
		s := single.Strategies[k]
		t.Logf("%s: single ready %d failed %d peak %d; merged ready %d failed %d peak %d, server saw %d; p95 %d vs %d ms",
			m.Name, s.Ready, s.Failed, s.PeakConnections, m.Ready, m.Failed, m.PeakConnections, m.Server.PeakClients, s.StartupMS.P95, m.StartupMS.P95)
		if m.Name != s.Name || m.Ready+m.Degraded != s.Ready+s.Degraded || m.Failed != s.Failed {
			t.Errorf("%s: merged %d ready %d degraded %d failed; one process: %d, %d, %d", m.Name, m.Ready, m.Degraded, m.Failed, s.Ready, s.Degraded, s.Failed)
		}
		if m.Server == nil {
			t.Fatalf("%s: no server view in the merged report (replica 0 watches the server)", m.Name)
		}
		if diff := math.Abs(float64(m.PeakConnections - m.Server.PeakClients)); diff > 0.05*float64(m.Server.PeakClients) {
			t.Errorf("%s: merged peak %d, the server's own peak %d: more than 5 %% apart", m.Name, m.PeakConnections, m.Server.PeakClients)
		}
	}
	if t.Failed() {
		for _, f := range files {
			b, _ := os.ReadFile(f)
			p := decodeReport(t, b)
			for _, r := range p.Strategies {
				t.Logf("replica %d %s: ready %d failed %d errors %v simulator %+v", p.Split.ReplicaIndex, r.Name, r.Ready, r.Failed, r.Errors, r.Simulator)
			}
		}
	}
	if m := merged.Strategies[1]; m.PeakConnections != 80 { // four pools of 20
		t.Errorf("managed over 4 processes: peak %d, want 80", m.PeakConnections)
	}

	// Given the observation, merge takes the server's view from it.
	obsFile := filepath.Join(dir, "observe.json")
	if err := os.WriteFile(obsFile, observation, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := Main(append([]string{"herd", "merge", "-o", "json", obsFile}, files...), IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" }); code != 0 {
		t.Fatalf("herd merge with an observation: exit %d: %s", code, errOut.String())
	}
	for _, m := range decodeReport(t, []byte(out.String())).Strategies {
		if m.Server == nil || math.Abs(float64(m.PeakConnections-m.Server.PeakClients)) > 0.05*float64(m.Server.PeakClients) {
			t.Errorf("%s with herd observe's view: peak %d, server %+v", m.Name, m.PeakConnections, m.Server)
		}
	}
}
