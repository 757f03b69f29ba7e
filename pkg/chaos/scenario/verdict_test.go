package scenario

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos/inject"
)

// serverStepScenario is a scenario with one server step.
func serverStepScenario(step string) string {
	return `name: one server step
target: ${REDIS_URL}
allow: ["127.0.0.1"]
hypothesis:
  - {probe: breaker, expect: CLOSED, within: 10s}
method:
  - at: 0s
    duration: 1s
    server: ` + step + "\n"
}

// A server step the target refuses stops the run before it starts: Run
// returns ErrRefused naming the step, and nothing changed. Each of these
// passed with "hypothesis held" before — a CI gate green with nothing
// injected.
func TestRefusedServerStepDoesNotStartTheRun(t *testing.T) {
	srv := redistest.Start(t)
	t.Setenv("RESCLI_STATE_DIR", t.TempDir()) // an empty dev-node register
	for _, tc := range []struct{ step, want string }{
		{`{fault: maxclients, args: ["abc"]}`, `$.method[0] (server maxclients abc): maxclients value "abc" is not a whole number`},
		{`{fault: failover}`, `$.method[0] (server failover): failover needs a Sentinel`},
		{`{fault: kill-node}`, `$.method[0] (server kill-node): kill-node:`},
		{`{fault: pause, args: ["SOME"]}`, `$.method[0] (server pause SOME): pause takes WRITE or ALL`},
	} {
		t.Run(tc.step, func(t *testing.T) {
			s, err := Parse([]byte(serverStepScenario(tc.step)), func(string) string { return srv.URL() })
			if err != nil {
				t.Fatal(err)
			}
			j := inject.Journal{Dir: filepath.Join(t.TempDir(), "journal")}
			rep, err := Run(context.Background(), s, Options{Journal: j})
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %+v, %v; want ErrRefused containing %q", rep, err, tc.want)
			}
			if got := srv.Info("maxclients"); got != "10000" {
				t.Fatalf("maxclients is %s", got)
			}
			if entries, _ := j.List(); len(entries) != 0 {
				t.Fatalf("journal: %+v", entries)
			}
			plans, err := PlanServerSteps(context.Background(), s, j)
			if !errors.Is(err, ErrRefused) || len(plans) != 0 {
				t.Fatalf("PlanServerSteps = %v, %v", plans, err)
			}
		})
	}
}

// A step that passed the plan but is refused when its time comes (here:
// maxclients 1 from the step before leaves no connection for it) aborts the
// method: the first fault is cut short and reverted, the report names the
// step, and the verdict fails although the hypothesis holds afterwards.
func TestStepFailingDuringTheRunFailsIt(t *testing.T) {
	srv := redistest.Start(t)
	src := `name: second step cannot connect
target: ${REDIS_URL}
allow: ["127.0.0.1"]
hypothesis:
  - {probe: breaker, expect: CLOSED, within: 10s}
method:
  - at: 0s
    duration: 20s
    server: {fault: maxclients, args: ["1"]}
  - at: 500ms
    duration: 1s
    server: {fault: maxmemory, args: ["100000000"]}
`
	s, err := Parse([]byte(src), func(string) string { return srv.URL() })
	if err != nil {
		t.Fatal(err)
	}
	j := inject.Journal{Dir: filepath.Join(t.TempDir(), "journal")}
	var out strings.Builder
	rep, err := Run(context.Background(), s, Options{Journal: j, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if rep.Held {
		t.Fatal("hypothesis held with a step refused")
	}
	if !strings.Contains(rep.Abort, "$.method[1] (server maxmemory 100000000) refused") {
		t.Fatalf("abort = %q, want the step named", rep.Abort)
	}
	if st := rep.Steps; len(st) != 2 || st[0].Status != StepCutShort || st[1].Status != StepRefused || st[1].Error == "" {
		t.Fatalf("steps = %+v, want cut_short then refused with its error", st)
	}
	if got := srv.Info("maxclients"); got != "10000" {
		t.Fatalf("maxclients left at %s", got)
	}
	if entries, _ := j.List(); len(entries) != 0 {
		t.Fatalf("journal: %+v", entries)
	}
	if last := rep.Events[len(rep.Events)-1]; last.Kind != "verdict" || !strings.HasPrefix(last.Text, "failed: ") {
		t.Fatalf("last event = %+v, want a failed verdict", last)
	}
}
