package inject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/rescli/rescli/pkg/target"
)

// NodePlan is a fault planned on one node of a deployment.
type NodePlan struct {
	Target *Target
	Plan   *Plan
}

// PlanAll resolves t, picks the nodes the fault acts on (Nodes), checks
// each against the allow-list, and plans the fault on each, composing it
// with the faults the journal holds there. Nothing changes; an error
// means the whole fault is refused.
func PlanAll(ctx context.Context, t target.Target, s Spec, sel Select, allow []string, j Journal) ([]NodePlan, *target.Topology, error) {
	if s.Fault == "kill-node" && len(s.Args) > 0 { // kill-node HOST:PORT names its node
		if sel.Node != "" || sel.Key != "" {
			return nil, nil, fmt.Errorf("%w: name the node once: kill-node HOST:PORT or --node/--key", ErrKind)
		}
		sel.Node, s.Args = s.Args[0], nil
	}
	if s.Fault == "failover" && t.Resolved() == target.Sentinel && len(s.Args) == 0 {
		s.Args = []string{t.MasterName}
	}
	topo, nodes, err := Nodes(ctx, t, s.Fault, sel)
	if err != nil {
		return nil, nil, err
	}
	var plans []NodePlan
	for _, n := range nodes {
		if !Allowed(n.Addr, allow) {
			return nil, nil, fmt.Errorf("refusing %s (%s of %s): %w; add it with --allow or RESCLI_CHAOS_ALLOW", n.Addr, n.Role, t, ErrNotAllowed)
		}
		nt := NodeTarget(t, n)
		c := nt.Client(s.Duration)
		p, err := NewPlan(ctx, c, s)
		_ = c.Close()
		if err == nil {
			err = Compose(j, n.Addr, p)
		}
		if err != nil {
			if len(nodes) > 1 {
				err = fmt.Errorf("on %s: %w", n.Addr, err)
			}
			return nil, nil, err
		}
		plans = append(plans, NodePlan{Target: nt, Plan: p})
	}
	return plans, topo, nil
}

// InjectAll applies every node's plan at once, and reverts each at its TTL
// or when ctx ends, as Inject does for one. With several nodes each log
// line names its node.
func InjectAll(ctx context.Context, plans []NodePlan, j Journal, log io.Writer) error {
	if len(plans) == 1 {
		return Inject(ctx, plans[0].Target, plans[0].Plan, j, log)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(plans))
	lw := &lockedWriter{w: log}
	for i, np := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Inject(ctx, np.Target, np.Plan, j, &prefixWriter{w: lw, prefix: np.Target.Node.Addr + ": "}); err != nil {
				errs[i] = fmt.Errorf("%s: %w", np.Target.Node.Addr, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// lockedWriter lets the nodes' goroutines share one log.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// prefixWriter puts prefix before each line; Inject writes whole lines.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	lines := strings.SplitAfter(string(b), "\n")
	var out strings.Builder
	for _, l := range lines {
		if l != "" {
			out.WriteString(p.prefix + l)
		}
	}
	if _, err := io.WriteString(p.w, out.String()); err != nil {
		return 0, err
	}
	return len(b), nil
}
