package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/target"
)

// Ranges of the numbers a scenario holds (README "Scenario files"). A value
// outside them is an error naming the field and the range: an `at` of
// 100000h ran for ever, 100000 workers took 45 s to start for a 1 s method.
const (
	MaxSpan       = 24 * time.Hour         // at, duration, window, within, ping_p99 max
	MinWindow     = bucket                 // the workload counts outcomes in 100 ms buckets
	MinEvery      = 10 * time.Millisecond  // during-probe interval
	MaxEvery      = time.Hour              //
	MaxRate       = 100_000                // load.rate, operations per second
	MaxWorkers    = 1000                   // load.workers
	MaxServices   = 10_000                 // herd.services
	MaxAbortAfter = 1000                   // abort.after
	MaxSteps      = 100                    // method steps
	MaxProbes     = 100                    // hypothesis and during probes, each
	MaxRollbacks  = 10                     //
	maxHerdFailed = MaxServices * MaxSteps // herd_failed max
)

var probeNames = []string{"breaker", "ping_p99", "error_rate", "goodput", "health", "herd_failed"}

// maxReported is how many problems one error lists.
const maxReported = 20

// problems collects what is wrong with a file, each with its line and path.
type problems struct {
	file *ast.File
	errs []error
}

func (p *problems) bad(path, format string, args ...any) {
	switch {
	case len(p.errs) < maxReported:
		p.errs = append(p.errs, fmt.Errorf("%w: %s%s: %s", ErrInvalid, lineOf(p.file, path), path, fmt.Sprintf(format, args...)))
	case len(p.errs) == maxReported:
		p.errs = append(p.errs, fmt.Errorf("%w: more problems not listed", ErrInvalid))
	}
}

// span checks a duration field; zero is always allowed (unset, or "at once").
func (p *problems) span(path string, d Duration, lo, hi time.Duration) {
	if d.Duration != 0 && (d.Duration < lo || d.Duration > hi) {
		p.bad(path, "%s is out of range: want %s to %s", d.Duration, lo, hi)
	}
}

// count checks a whole-number field; zero means its default.
func (p *problems) count(path string, n, hi int) {
	if n < 0 || n > hi {
		p.bad(path, "%d is out of range: want 1 to %d (0 or unset: the default)", n, hi)
	}
}

func (p *problems) length(path string, n, hi int) {
	if n > hi {
		p.bad(path, "%d entries, the limit is %d", n, hi)
	}
}

// validate checks meaning and ranges; positions come from the YAML paths.
func (s *Scenario) validate(f *ast.File) error {
	p := &problems{file: f}
	if s.Name == "" {
		p.bad("$.name", "required")
	}
	if s.Target == "" {
		p.bad("$.target", "required (redis://, rediss://, redis+sentinel:// or redis+cluster://; ${REDIS_URL} is expanded)")
	} else if _, err := target.Parse(s.Target); err != nil {
		p.bad("$.target", "%v", err)
	}
	if len(s.Hypothesis) == 0 {
		p.bad("$.hypothesis", "at least one probe is required")
	}
	if len(s.Method) == 0 {
		p.bad("$.method", "at least one step is required")
	}
	p.length("$.hypothesis", len(s.Hypothesis), MaxProbes)
	p.length("$.during", len(s.During), MaxProbes)
	p.length("$.method", len(s.Method), MaxSteps)
	p.length("$.rollbacks", len(s.Rollbacks), MaxRollbacks)
	p.count("$.load.rate", s.Load.Rate, MaxRate)
	p.count("$.load.workers", s.Load.Workers, MaxWorkers)
	p.count("$.abort.after", s.Abort.After, MaxAbortAfter)
	p.span("$.every", s.Every, MinEvery, MaxEvery)
	for i, pr := range s.Hypothesis {
		validateProbe(fmt.Sprintf("$.hypothesis[%d]", i), pr, p)
	}
	for i, pr := range s.During {
		validateProbe(fmt.Sprintf("$.during[%d]", i), pr, p)
	}
	for i, st := range s.Method {
		validateStep(fmt.Sprintf("$.method[%d]", i), st, s, p)
	}
	for i, r := range s.Rollbacks {
		if r.Action != "reset-proxy" && r.Action != "revert-server" {
			p.bad(fmt.Sprintf("$.rollbacks[%d].action", i), "want reset-proxy or revert-server, got %q", r.Action)
		}
	}
	return errors.Join(p.errs...)
}

func validateProbe(path string, pr Probe, p *problems) {
	if !slices.Contains(probeNames, pr.Probe) {
		p.bad(path+".probe", "want one of %s, got %q", strings.Join(probeNames, ", "), pr.Probe)
		return
	}
	p.span(path+".window", pr.Window, MinWindow, MaxSpan)
	p.span(path+".within", pr.Within, 0, MaxSpan)
	switch pr.Probe {
	case "breaker":
		if pr.Expect != "CLOSED" && pr.Expect != "OPEN" && pr.Expect != "HALF_OPEN" {
			p.bad(path+".expect", "breaker expects CLOSED, OPEN or HALF_OPEN, got %q", pr.Expect)
		}
	case "ping_p99":
		if d, err := time.ParseDuration(pr.Max); err != nil || d <= 0 || d > MaxSpan {
			p.bad(path+".max", "ping_p99 needs a duration above 0s and at most %s, got %q", MaxSpan, pr.Max)
		}
	case "error_rate":
		if f, err := parseFloat(pr.Max); err != nil || !(f >= 0 && f <= 1) {
			p.bad(path+".max", "error_rate needs a fraction from 0 to 1, got %q", pr.Max)
		}
	case "herd_failed":
		if f, err := parseFloat(pr.Max); err != nil || !(f >= 0 && f <= maxHerdFailed) {
			p.bad(path+".max", "herd_failed needs a number of services from 0 to %d, got %q", maxHerdFailed, pr.Max)
		}
	case "goodput":
		if !(pr.Min > 0 && pr.Min <= 1) { // written so that NaN is refused too
			p.bad(path+".min", "goodput needs a fraction of the baseline in (0, 1], got %v", pr.Min)
		}
	case "health":
		if pr.Service == "" {
			p.bad(path+".service", "health needs a service URL")
		}
		if pr.Expect == "" {
			p.bad(path+".expect", "health expects pass, warn or fail")
		}
	}
}

func validateStep(path string, st Step, s *Scenario, p *problems) {
	n := 0
	for _, set := range []bool{st.Proxy != nil, st.Server != nil, st.Herd != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		p.bad(path, "a step has exactly one of proxy, server or herd")
		return
	}
	p.span(path+".at", st.At, 0, MaxSpan)
	p.span(path+".duration", st.Duration, 0, MaxSpan)
	switch {
	case st.Proxy != nil:
		if _, err := chaos.NewFault(st.Proxy.Type, chaos.Attributes(st.Proxy.Attributes)); err != nil {
			p.bad(path+".proxy", "%v", err)
		}
		if t := st.Proxy.Toxicity; t != nil && !(*t >= 0 && *t <= 1) {
			p.bad(path+".proxy.toxicity", "%v is out of range: want 0 to 1", *t)
		}
		if sm := st.Proxy.Stream; sm != "" && sm != chaos.StreamUpstream && sm != chaos.StreamDownstream && sm != chaos.StreamBoth {
			p.bad(path+".proxy.stream", "want upstream, downstream or both, got %q", sm)
		}
		if st.Duration.Duration <= 0 {
			p.bad(path+".duration", "a proxy fault needs a duration")
		}
		if st.Proxy.Node != "" && st.Proxy.Key != "" {
			p.bad(path+".proxy", "give node or key, not both")
		}
	case st.Server != nil:
		if !slices.Contains(inject.Faults(), st.Server.Fault) {
			p.bad(path+".server.fault", "want one of %s, got %q", strings.Join(inject.Faults(), ", "), st.Server.Fault)
		}
		if st.Duration.Duration <= 0 {
			p.bad(path+".duration", "a server fault needs a duration (its TTL)")
		}
		if len(s.Allow) == 0 {
			p.bad("$.allow", "server faults need an allow-list of hosts")
		}
		if st.Server.Node != "" && st.Server.Key != "" {
			p.bad(path+".server", "give node or key, not both")
		}
	case st.Herd != nil:
		if st.Herd.Services <= 0 || st.Herd.Services > MaxServices {
			p.bad(path+".herd.services", "%d is out of range: want 1 to %d", st.Herd.Services, MaxServices)
		}
		if st.Herd.Strategy != "" && !slices.Contains(herd.StrategyNames(), st.Herd.Strategy) {
			p.bad(path+".herd.strategy", "want one of %s, got %q", strings.Join(herd.StrategyNames(), ", "), st.Herd.Strategy)
		}
	}
}

// parseFloat reads a finite number, the whole string.
func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = fmt.Errorf("%q is not a finite number", s)
	}
	return f, err
}
