package orchestrate

import (
	"errors"
	"fmt"
	"slices"
)

// graph is the validated dependency graph: services by index, edges both
// ways, and each service's phase.
type graph struct {
	services   []Service
	index      map[string]int
	deps       [][]int // deps[i]: services i depends on
	dependents [][]int // dependents[i]: services that depend on i
	phase      []int   // 0-based level by longest dependency chain
}

// Validate checks services without starting anything: every service has a
// name and a Start func, names are unique, every dependency exists and there
// are no cycles. It reports all problems at once, joined.
func Validate(services []Service) error {
	_, err := newGraph(services)
	return err
}

func newGraph(services []Service) (*graph, error) {
	g := &graph{services: slices.Clone(services), index: make(map[string]int, len(services))}
	errs := g.indexNames()
	errs = append(errs, g.link()...)
	errs = append(errs, findCycles(g)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	g.phase = levels(g)
	return g, nil
}

// indexNames fills g.index and reports unnamed, duplicate and Start-less
// services.
func (g *graph) indexNames() []error {
	var errs []error
	for i, s := range g.services {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%w: service #%d has no name", ErrInvalidService, i+1))
			continue
		case s.Start == nil:
			errs = append(errs, fmt.Errorf("%w: service %q has no Start func", ErrInvalidService, s.Name))
		}
		if _, dup := g.index[s.Name]; dup {
			errs = append(errs, fmt.Errorf("%w: %q", ErrDuplicateService, s.Name))
			continue
		}
		g.index[s.Name] = i
	}
	return errs
}

// link resolves DependsOn names into edges, ignoring repeated names.
func (g *graph) link() []error {
	var errs []error
	g.deps = make([][]int, len(g.services))
	g.dependents = make([][]int, len(g.services))
	for i, s := range g.services {
		for _, name := range s.DependsOn {
			j, ok := g.index[name]
			if !ok {
				errs = append(errs, &UnknownDependencyError{Service: s.Name, Dependency: name})
				continue
			}
			if slices.Contains(g.deps[i], j) {
				continue
			}
			g.deps[i] = append(g.deps[i], j)
			g.dependents[j] = append(g.dependents[j], i)
		}
	}
	return errs
}

// downstream returns the names of every service that depends on i, directly
// or transitively, in declaration order: its blast radius.
func (g *graph) downstream(i int) []string {
	seen := make([]bool, len(g.services))
	stack := []int{i}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range g.dependents[n] {
			if !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	var names []string
	for j, s := range g.services {
		if seen[j] {
			names = append(names, s.Name)
		}
	}
	return names
}

func (g *graph) names(idx []int) []string {
	names := make([]string, len(idx))
	for k, i := range idx {
		names[k] = g.services[i].Name
	}
	return names
}
