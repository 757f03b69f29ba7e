package orchestrate

import (
	"cmp"
	"slices"
)

// findCycles returns one *CycleError per strongly connected component that
// contains a cycle, sorted by the name each cycle starts from.
func findCycles(g *graph) []error {
	var cycles []*CycleError
	for _, comp := range components(g) {
		if len(comp) == 1 && !slices.Contains(g.deps[comp[0]], comp[0]) {
			continue
		}
		cycles = append(cycles, &CycleError{Path: cyclePath(g, comp)})
	}
	slices.SortFunc(cycles, func(a, b *CycleError) int { return cmp.Compare(a.Path[0], b.Path[0]) })
	errs := make([]error, len(cycles))
	for i, c := range cycles {
		errs[i] = c
	}
	return errs
}

// cyclePath walks from the component's smallest name along dependencies,
// trying them in name order, until it returns to where it began.
func cyclePath(g *graph, comp []int) []string {
	in := make(map[int]bool, len(comp))
	for _, i := range comp {
		in[i] = true
	}
	start := slices.MinFunc(comp, func(a, b int) int { return cmp.Compare(g.services[a].Name, g.services[b].Name) })
	visited := map[int]bool{}
	var walk func(n int, path []int) []int
	walk = func(n int, path []int) []int {
		visited[n] = true
		for _, d := range sortedByName(g, g.deps[n]) {
			switch {
			case d == start:
				return append(path, d)
			case in[d] && !visited[d]:
				if p := walk(d, append(path, d)); p != nil {
					return p
				}
			}
		}
		return nil
	}
	return g.names(walk(start, []int{start}))
}

func sortedByName(g *graph, idx []int) []int {
	s := slices.Clone(idx)
	slices.SortFunc(s, func(a, b int) int { return cmp.Compare(g.services[a].Name, g.services[b].Name) })
	return s
}

// components returns the strongly connected components of g (Tarjan).
func components(g *graph) [][]int {
	t := tarjan{g: g, index: make([]int, len(g.services)), low: make([]int, len(g.services)), on: make([]bool, len(g.services))}
	for i := range t.index {
		t.index[i] = -1
	}
	for i := range g.services {
		if t.index[i] < 0 {
			t.visit(i)
		}
	}
	return t.comps
}

type tarjan struct {
	g       *graph
	counter int
	index   []int
	low     []int
	on      []bool
	stack   []int
	comps   [][]int
}

func (t *tarjan) visit(v int) {
	t.index[v], t.low[v] = t.counter, t.counter
	t.counter++
	t.stack = append(t.stack, v)
	t.on[v] = true
	for _, w := range t.g.deps[v] {
		if t.index[w] < 0 {
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		} else if t.on[w] {
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] != t.index[v] {
		return
	}
	var comp []int
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.on[w] = false
		comp = append(comp, w)
		if w == v {
			break
		}
	}
	t.comps = append(t.comps, comp)
}
