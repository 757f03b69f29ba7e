package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// ErrInvalid wraps every problem found in a scenario file.
var ErrInvalid = errors.New("invalid scenario")

// LoadFile reads and validates a scenario file. Errors name the file, the
// line and the field. It reads at most MaxFileSize bytes (a FIFO or
// /dev/zero cannot keep it reading).
func LoadFile(path string, getenv func(string) string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := Parse(b, getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Parse checks the file's shape (size, depth, alias expansion), decodes
// strictly (unknown fields are errors) and validates.
func Parse(b []byte, getenv func(string) string) (*Scenario, error) {
	f, err := checkShape(b)
	if err != nil {
		return nil, err
	}
	var s Scenario
	if err := decode(b, &s); err != nil {
		return nil, err
	}
	s.Target = expand(s.Target, getenv)
	if err := s.validate(f); err != nil {
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

// lineOf returns "line N: " for a YAML path in f, or "" if it cannot be
// found.
func lineOf(f *ast.File, path string) (line string) {
	defer func() { // the path reader shares the parser's panics (see decode)
		if recover() != nil {
			line = ""
		}
	}()
	p, err := yaml.PathString(path)
	if err != nil || f == nil {
		return ""
	}
	node, err := p.FilterFile(f)
	if err != nil || node == nil || node.GetToken() == nil {
		parent := path[:max(strings.LastIndexAny(path, ".["), 1)]
		if parent != path && parent != "$" {
			return lineOf(f, parent)
		}
		return ""
	}
	return fmt.Sprintf("line %d: ", node.GetToken().Position.Line)
}

func expand(s string, getenv func(string) string) string {
	return os.Expand(s, getenv)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
