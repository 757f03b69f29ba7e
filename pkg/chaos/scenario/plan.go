package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
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

// PlanServerSteps checks every server step against the target as
// `chaos inject` would, without changing anything (it reads CONFIG GET,
// INFO, COMMAND INFO and the dev-node register). A step refused is named in
// an error wrapping ErrRefused; a target that cannot be reached is an error
// that does not.
func PlanServerSteps(ctx context.Context, s *Scenario) ([]ServerPlan, error) {
	var plans []ServerPlan
	var refused []error
	for i, st := range s.Method {
		if st.Server == nil {
			continue
		}
		_, p, err := planServer(ctx, s, st)
		if errors.Is(err, errUnreachable) {
			return nil, err
		}
		if err != nil {
			refused = append(refused, fmt.Errorf("%w: %s: %v", ErrRefused, stepName(i, st), err))
			continue
		}
		plans = append(plans, ServerPlan{Step: stepPath(i), Description: p.Description})
	}
	return plans, errors.Join(refused...)
}

// errUnreachable marks a failure to reach the target, not a refusal.
var errUnreachable = errors.New("target unreachable")

// planServer builds the inject plan of one server step.
func planServer(ctx context.Context, s *Scenario, st Step) (*inject.Target, *inject.Plan, error) {
	tgt, err := inject.NewTarget(s.Target)
	if err != nil {
		return nil, nil, err
	}
	if !inject.Allowed(tgt.Opts.Addr, s.Allow) {
		return nil, nil, fmt.Errorf("%w: %s (allow: %s)", inject.ErrNotAllowed, tgt.Opts.Addr, strings.Join(s.Allow, ", "))
	}
	c := tgt.Client(st.Duration.Duration)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: connect to %s: %v", errUnreachable, redact.URL(s.Target), err)
	}
	p, err := inject.NewPlan(ctx, c, inject.Spec{Fault: st.Server.Fault, Args: st.Server.Args, Duration: st.Duration.Duration})
	return tgt, p, err
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
