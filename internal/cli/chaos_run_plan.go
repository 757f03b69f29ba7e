package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/chaos/scenario"
)

// planDoc is `chaos run --dry-run`'s plan, printed as text or, with -o
// json, as its document.
type planDoc struct {
	Name       string     `json:"name"`
	Target     string     `json:"target"`
	Load       planLoad   `json:"load"`
	Hypothesis []string   `json:"hypothesis"`
	During     []string   `json:"during"`
	EveryMS    int64      `json:"every_ms"`
	AbortAfter int        `json:"abort_after,omitempty"`
	Method     []planStep `json:"method"`
	Rollbacks  []string   `json:"rollbacks"`
}

type planLoad struct {
	Rate    int `json:"rate"`
	Workers int `json:"workers"`
}

type planStep struct {
	Step       string `json:"step"`
	AtMS       int64  `json:"at_ms"`
	DurationMS int64  `json:"duration_ms"`
	Action     string `json:"action"`
	// Attributes are a proxy fault's; On the node or key it is limited to.
	Attributes map[string]any `json:"attributes,omitempty"`
	On         string         `json:"on,omitempty"`
	// Plan says what a server step will do, node by node, as planned
	// against the target now.
	Plan string `json:"plan,omitempty"`
}

// dryRunPlan prints the plan. Server steps are planned against the target
// (read-only), so that a refused one fails here, as it would the run.
func dryRunPlan(ctx context.Context, g *Global, s *scenario.Scenario, j inject.Journal) error {
	described := map[string]string{}
	if hasServerSteps(s) {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		plans, err := scenario.PlanServerSteps(pctx, s, j)
		cancel()
		if ierr := interrupted(ctx); ierr != nil {
			return ierr
		}
		if err != nil {
			return fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		for _, p := range plans {
			described[p.Step] = p.Description
		}
	}
	doc := planDoc{Name: s.Name, Target: redact.URL(s.Target), Load: planLoad{s.Load.Rate, s.Load.Workers},
		Hypothesis: []string{}, During: []string{}, EveryMS: s.Every.Milliseconds(), AbortAfter: s.Abort.After, Rollbacks: []string{}}
	for _, p := range s.Hypothesis {
		doc.Hypothesis = append(doc.Hypothesis, probeLine(p, true))
	}
	for _, p := range s.During {
		doc.During = append(doc.During, probeLine(p, false))
	}
	for i, st := range s.Method {
		step := planStep{Step: fmt.Sprintf("$.method[%d]", i), AtMS: st.At.Milliseconds(), DurationMS: st.Duration.Milliseconds(), Plan: described[fmt.Sprintf("$.method[%d]", i)]}
		switch {
		case st.Proxy != nil:
			step.Action, step.Attributes, step.On = "proxy "+st.Proxy.Type, st.Proxy.Attributes, st.Proxy.Node+st.Proxy.Key
		case st.Server != nil:
			step.Action = "server " + strings.TrimSpace(st.Server.Fault+" "+strings.Join(st.Server.Args, " "))
		case st.Herd != nil:
			step.Action = fmt.Sprintf("herd of %d (%s)", st.Herd.Services, st.Herd.Strategy)
		}
		doc.Method = append(doc.Method, step)
	}
	for _, r := range s.Rollbacks {
		doc.Rollbacks = append(doc.Rollbacks, r.Action)
	}
	if g.JSON() {
		return printJSON(g.IO.Out, schemaChaosPlan, doc)
	}
	printPlan(g.IO.Out, doc)
	return nil
}

func printPlan(w io.Writer, doc planDoc) {
	fmt.Fprintf(w, "scenario: %s · target %s\nload: %d ops/s on %d workers\n\nhypothesis (before and after):\n", doc.Name, doc.Target, doc.Load.Rate, doc.Load.Workers)
	for _, p := range doc.Hypothesis {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if len(doc.During) > 0 {
		fmt.Fprintf(w, "during the method, every %s:\n", time.Duration(doc.EveryMS)*time.Millisecond)
		for _, p := range doc.During {
			fmt.Fprintf(w, "  %s\n", p)
		}
		if doc.AbortAfter > 0 {
			fmt.Fprintf(w, "  abort after %d failures in a row\n", doc.AbortAfter)
		}
	}
	fmt.Fprintln(w, "method:")
	for _, st := range doc.Method {
		line := fmt.Sprintf("  +%s %s for %s", time.Duration(st.AtMS)*time.Millisecond, st.Action, time.Duration(st.DurationMS)*time.Millisecond)
		if st.On != "" {
			line += " on " + st.On
		}
		if len(st.Attributes) > 0 {
			line += fmt.Sprintf(" %v", st.Attributes)
		}
		if st.Plan != "" {
			line += ": " + st.Plan
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "rollbacks: every proxy fault removed, server faults reverted; then:")
	for _, r := range doc.Rollbacks {
		fmt.Fprintf(w, "  %s\n", r)
	}
	fmt.Fprintln(w, "dry run: nothing changed")
}

func hasServerSteps(s *scenario.Scenario) bool {
	for _, st := range s.Method {
		if st.Server != nil {
			return true
		}
	}
	return false
}

// probeLine renders a probe with only the fields it has: "goodput min=0.9
// window=2s within 6s", not "expect= max= min=0.9".
func probeLine(p scenario.Probe, hypothesis bool) string {
	parts := []string{p.Probe}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("expect", p.Expect)
	add("max", p.Max)
	if p.Min != 0 {
		add("min", fmt.Sprint(p.Min))
	}
	add("service", redact.URL(p.Service))
	switch p.Probe {
	case "error_rate", "goodput":
		add("window", p.Window.Duration.String())
	}
	if hypothesis {
		parts = append(parts, "within "+p.Within.Duration.String())
	}
	return strings.Join(parts, " ")
}
