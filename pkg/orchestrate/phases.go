package orchestrate

import (
	"fmt"
	"strings"
)

// levels assigns each service its phase: 0 without dependencies, otherwise
// one more than its deepest dependency. g must be acyclic.
func levels(g *graph) []int {
	level := make([]int, len(g.services))
	done := make([]bool, len(g.services))
	var visit func(i int) int
	visit = func(i int) int {
		if done[i] {
			return level[i]
		}
		for _, d := range g.deps[i] {
			level[i] = max(level[i], visit(d)+1)
		}
		done[i] = true
		return level[i]
	}
	for i := range g.services {
		visit(i)
	}
	return level
}

// phases groups service names by level, in declaration order within each.
func (g *graph) phases() [][]string {
	var out [][]string
	for i, s := range g.services {
		p := g.phase[i]
		for len(out) <= p {
			out = append(out, nil)
		}
		out[p] = append(out[p], s.Name)
	}
	return out
}

// FormatPhases renders phases one per line, numbered from 1:
//
//	phase 1: redis_manager, database
//	phase 2: background_services, health_monitoring
//
// Phases describe the graph; Run does not wait for a whole phase before
// starting the next, each service starts as soon as its own dependencies
// are up.
func FormatPhases(phases [][]string) string {
	var b strings.Builder
	for i, names := range phases {
		fmt.Fprintf(&b, "phase %d: %s\n", i+1, strings.Join(names, ", "))
	}
	return b.String()
}
