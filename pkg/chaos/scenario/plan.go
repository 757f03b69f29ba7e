package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/target"
)

// ErrRefused is returned by Run and PlanServerSteps when a server step is
// refused before anything changed: a target outside the allow-list, a bad
// argument ("maxclients abc"), a fault this server cannot take (failover on
// a standalone server, kill-node of a node rescli did not start). The run
// does not start.
var ErrRefused = errors.New("scenario step refused")

// ServerPlan is a server step checked against the target.
type ServerPlan struct {
	Step        string // "$.method[1]"
	Description string // what the fault will do, from inject's plan
}

// PlanServerSteps checks every server step against the target (and the
// faults journal j holds) as `chaos inject` would, without changing anything (it reads CONFIG GET,
// INFO, COMMAND INFO and the dev-node register). A step refused is named in
// an error wrapping ErrRefused; a target that cannot be reached is an error
// that does not.
func PlanServerSteps(ctx context.Context, s *Scenario, j inject.Journal) ([]ServerPlan, error) {
	var plans []ServerPlan
	var refused []error
	for i, st := range s.Method {
		if st.Server == nil {
			continue
		}
		nodes, err := planServer(ctx, s, st, j)
		if errors.Is(err, errUnreachable) {
			return nil, err
		}
		if err != nil {
			refused = append(refused, fmt.Errorf("%w: %s: %v", ErrRefused, stepName(i, st), err))
			continue
		}
		plans = append(plans, ServerPlan{Step: stepPath(i), Description: describePlans(nodes)})
	}
	return plans, errors.Join(refused...)
}

// errUnreachable marks a failure to reach the target, not a refusal.
var errUnreachable = errors.New("target unreachable")

// planServer plans one server step on the nodes `chaos inject` would
// pick for it, as resolved now.
func planServer(ctx context.Context, s *Scenario, st Step, j inject.Journal) ([]inject.NodePlan, error) {
	tgt, err := target.Parse(s.Target)
	if err != nil {
		return nil, err
	}
	spec := inject.Spec{Fault: st.Server.Fault, Args: st.Server.Args, Duration: st.Duration.Duration, AllowDataLoss: st.Server.AllowDataLoss}
	plans, _, err := inject.PlanAll(ctx, tgt, spec, st.Server.selection(), s.Allow, j)
	if errors.Is(err, target.ErrUnresolved) {
		return nil, fmt.Errorf("%w: %v", errUnreachable, err)
	}
	if err != nil {
		return nil, err
	}
	for _, np := range plans {
		c := np.Target.Client(0)
		err := c.Ping(ctx).Err()
		_ = c.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: connect to %s (%s): %v", errUnreachable, np.Target.Node.Addr, tgt, err)
		}
	}
	return plans, nil
}

// describePlans is what a server step does, node by node.
func describePlans(plans []inject.NodePlan) string {
	var out []string
	for _, np := range plans {
		d := np.Plan.Description
		if len(plans) > 1 || np.Target.Node.Role != target.Master {
			d = fmt.Sprintf("%s %s: %s", np.Target.Node.Role, np.Target.Node.Addr, d)
		}
		out = append(out, d)
	}
	return strings.Join(out, "; ")
}

func stepPath(i int) string { return fmt.Sprintf("$.method[%d]", i) }

// stepName names a step in messages: "$.method[1] (server maxclients abc)".
func stepName(i int, st Step) string {
	return stepPath(i) + " (" + stepAction(st) + ")"
}

// stepAction says what a step does, in a few words.
func stepAction(st Step) string {
	switch {
	case st.Proxy != nil:
		return "proxy " + st.Proxy.Type
	case st.Server != nil:
		return strings.TrimSpace("server " + st.Server.Fault + " " + strings.Join(st.Server.Args, " "))
	case st.Herd != nil:
		return fmt.Sprintf("herd of %d", st.Herd.Services)
	}
	return "empty step"
}
