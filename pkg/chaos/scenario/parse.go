package scenario

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
)

// ErrInvalid wraps every problem found in a scenario file.
var ErrInvalid = errors.New("invalid scenario")

var probeNames = []string{"breaker", "ping_p99", "error_rate", "goodput", "health", "herd_failed"}

// Load reads and validates a scenario file. Errors name the file, the line
// and the field.
func LoadFile(path string, getenv func(string) string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := Parse(b, getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Parse decodes strictly (unknown fields are errors) and validates.
func Parse(b []byte, getenv func(string) string) (*Scenario, error) {
	var s Scenario
	if err := decode(b, &s); err != nil {
		return nil, err
	}
	s.Target = expand(s.Target, getenv)
	if err := s.validate(b); err != nil {
		return nil, err
	}
	s.defaults()
	return &s, nil
}

// decode is yaml.Unmarshal, strict, with a guard: goccy/go-yaml v1.19.2
// panics on some malformed input (found by FuzzParse; the crasher is kept in
// testdata/fuzz), and a broken file must be an error, not a crash.
func decode(b []byte, s *Scenario) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: malformed YAML the parser could not read (%v)", ErrInvalid, r)
		}
	}()
	if err := yaml.UnmarshalWithOptions(b, s, yaml.Strict()); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalid, oneLine(yaml.FormatError(err, false, false)))
	}
	return nil
}

func (s *Scenario) defaults() {
	if s.Load.Rate <= 0 {
		s.Load.Rate = 200
	}
	if s.Load.Workers <= 0 {
		s.Load.Workers = 4
	}
	if s.Every.Duration <= 0 {
		s.Every.Duration = 250 * time.Millisecond
	}
	for i := range s.Hypothesis {
		p := &s.Hypothesis[i]
		if p.Window.Duration <= 0 {
			p.Window.Duration = 2 * time.Second
		}
		if p.Within.Duration <= 0 {
			p.Within.Duration = 5 * time.Second
		}
	}
	for i := range s.During {
		if s.During[i].Window.Duration <= 0 {
			s.During[i].Window.Duration = time.Second
		}
	}
	for i := range s.Method {
		if h := s.Method[i].Herd; h != nil && h.Strategy == "" {
			h.Strategy = "managed"
		}
	}
}

// validate checks meaning; positions come from the YAML paths.
func (s *Scenario) validate(src []byte) error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s%s: %s", ErrInvalid, lineOf(src, path), path, fmt.Sprintf(format, args...)))
	}
	if s.Name == "" {
		bad("$.name", "required")
	}
	if s.Target == "" {
		bad("$.target", "required (a redis:// or rediss:// URL; ${REDIS_URL} is expanded)")
	}
	if len(s.Hypothesis) == 0 {
		bad("$.hypothesis", "at least one probe is required")
	}
	if len(s.Method) == 0 {
		bad("$.method", "at least one step is required")
	}
	for i, p := range s.Hypothesis {
		validateProbe(fmt.Sprintf("$.hypothesis[%d]", i), p, bad)
	}
	for i, p := range s.During {
		validateProbe(fmt.Sprintf("$.during[%d]", i), p, bad)
	}
	for i, st := range s.Method {
		validateStep(fmt.Sprintf("$.method[%d]", i), st, s, bad)
	}
	for i, r := range s.Rollbacks {
		if r.Action != "reset-proxy" && r.Action != "revert-server" {
			bad(fmt.Sprintf("$.rollbacks[%d].action", i), "want reset-proxy or revert-server, got %q", r.Action)
		}
	}
	return errors.Join(errs...)
}

func validateProbe(path string, p Probe, bad func(string, string, ...any)) {
	if !slices.Contains(probeNames, p.Probe) {
		bad(path+".probe", "want one of %s, got %q", strings.Join(probeNames, ", "), p.Probe)
		return
	}
	switch p.Probe {
	case "breaker":
		if p.Expect != "CLOSED" && p.Expect != "OPEN" && p.Expect != "HALF_OPEN" {
			bad(path+".expect", "breaker expects CLOSED, OPEN or HALF_OPEN, got %q", p.Expect)
		}
	case "ping_p99":
		if _, err := time.ParseDuration(p.Max); err != nil {
			bad(path+".max", "ping_p99 needs a duration, got %q", p.Max)
		}
	case "error_rate", "herd_failed":
		if _, err := parseFloat(p.Max); err != nil {
			bad(path+".max", "%s needs a number, got %q", p.Probe, p.Max)
		}
	case "goodput":
		if p.Min <= 0 || p.Min > 1 {
			bad(path+".min", "goodput needs a fraction of the baseline in (0, 1], got %v", p.Min)
		}
	case "health":
		if p.Service == "" {
			bad(path+".service", "health needs a service URL")
		}
		if p.Expect == "" {
			bad(path+".expect", "health expects pass, warn or fail")
		}
	}
}

func validateStep(path string, st Step, s *Scenario, bad func(string, string, ...any)) {
	n := 0
	for _, set := range []bool{st.Proxy != nil, st.Server != nil, st.Herd != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		bad(path, "a step has exactly one of proxy, server or herd")
		return
	}
	switch {
	case st.Proxy != nil:
		if _, err := chaos.NewFault(st.Proxy.Type, chaos.Attributes(st.Proxy.Attributes)); err != nil {
			bad(path+".proxy", "%v", err)
		}
		if st.Duration.Duration <= 0 {
			bad(path+".duration", "a proxy fault needs a duration")
		}
	case st.Server != nil:
		if !slices.Contains(inject.Faults(), st.Server.Fault) {
			bad(path+".server.fault", "want one of %s, got %q", strings.Join(inject.Faults(), ", "), st.Server.Fault)
		}
		if st.Duration.Duration <= 0 {
			bad(path+".duration", "a server fault needs a duration (its TTL)")
		}
		if len(s.Allow) == 0 {
			bad("$.allow", "server faults need an allow-list of hosts")
		}
	case st.Herd != nil:
		if st.Herd.Services <= 0 {
			bad(path+".herd.services", "must be at least 1")
		}
		if st.Herd.Strategy != "" && !slices.Contains(herd.StrategyNames(), st.Herd.Strategy) {
			bad(path+".herd.strategy", "want one of %s, got %q", strings.Join(herd.StrategyNames(), ", "), st.Herd.Strategy)
		}
	}
}

// lineOf returns "line N: " for a YAML path, or "" if it cannot be found.
func lineOf(src []byte, path string) (line string) {
	defer func() { // the path reader shares the parser's panics (see decode)
		if recover() != nil {
			line = ""
		}
	}()
	p, err := yaml.PathString(path)
	if err != nil {
		return ""
	}
	node, err := p.ReadNode(strings.NewReader(string(src)))
	if err != nil || node == nil || node.GetToken() == nil {
		parent := path[:max(strings.LastIndexAny(path, ".["), 1)]
		if parent != path && parent != "$" {
			return lineOf(src, parent)
		}
		return ""
	}
	return fmt.Sprintf("line %d: ", node.GetToken().Position.Line)
}

func expand(s string, getenv func(string) string) string {
	return os.Expand(s, getenv)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func parseFloat(s string) (float64, error) {
	var f float64
	_, err := fmt.Sscanf(s, "%g", &f)
	return f, err
}
