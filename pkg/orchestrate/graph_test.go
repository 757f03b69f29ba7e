package orchestrate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func nop(context.Context) error { return nil }

func svc(name string, deps ...string) Service {
	return Service{Name: name, DependsOn: deps, Start: nop}
}

func TestValidateReportsTheFullCyclePathStartingAtTheSmallestName(t *testing.T) {
	// Given c -> a -> b -> c declared out of order
	services := []Service{svc("c", "a"), svc("b", "c"), svc("a", "b"), svc("root")}

	// When the graph is validated
	err := Validate(services)

	// Then the cycle is printed whole, from its smallest name
	if got, want := err.Error(), "dependency cycle: a -> b -> c -> a"; got != want {
		t.Fatalf("error = %q, want %q", got, want)
	}
	var ce *CycleError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCycle) {
		t.Fatalf("error %v is not a *CycleError wrapping ErrCycle", err)
	}
	if want := []string{"a", "b", "c", "a"}; !slices.Equal(ce.Path, want) {
		t.Fatalf("path = %v, want %v", ce.Path, want)
	}
}

func TestValidateReportsEveryCycleSortedAndSelfLoops(t *testing.T) {
	// Given two separate cycles and a service that depends on itself
	services := []Service{
		svc("y", "x"), svc("x", "y"),
		svc("self", "self"),
		svc("b", "a"), svc("a", "b", "c"), svc("c"),
	}

	// When the graph is validated
	err := Validate(services)

	// Then each cycle is one line, sorted by where it starts
	want := strings.Join([]string{
		"dependency cycle: a -> b -> a",
		"dependency cycle: self -> self",
		"dependency cycle: x -> y -> x",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
}

func TestValidateReportsEveryKindOfProblemAtOnce(t *testing.T) {
	// Given a graph with several problems at once
	services := []Service{
		svc("api", "db", "cache"),
		svc("db"),
		svc("db"),
		{Name: "worker"},
		{Start: nop},
		svc("x", "y"), svc("y", "x"),
	}

	// When it is validated
	err := Validate(services)

	// Then all of them are reported, joined, in declaration order
	want := strings.Join([]string{
		`duplicate service name: "db"`,
		`invalid service: service "worker" has no Start func`,
		`invalid service: service #5 has no name`,
		`service "api": unknown dependency "cache"`,
		`dependency cycle: x -> y -> x`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
	var ue *UnknownDependencyError
	if !errors.As(err, &ue) || ue.Service != "api" || ue.Dependency != "cache" {
		t.Fatalf("want an *UnknownDependencyError for api -> cache, got %v", ue)
	}
	for _, target := range []error{ErrDuplicateService, ErrInvalidService, ErrUnknownDependency, ErrCycle} {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(err, %v) = false", target)
		}
	}
}

func TestNewRefusesAnInvalidGraphBeforeStartingAnything(t *testing.T) {
	// Given a service whose Start would record that it ran, in a cycle
	started := false
	a := Service{Name: "a", DependsOn: []string{"b"}, Start: func(context.Context) error { started = true; return nil }}

	// When an orchestrator is built
	o, err := New([]Service{a, svc("b", "a")}, Options{})

	// Then it is refused and nothing ran
	if o != nil || !errors.Is(err, ErrCycle) || started {
		t.Fatalf("New = %v, %v; started = %v", o, err, started)
	}
}

// seedServices is the seed document's example graph.
func seedServices() []Service {
	return []Service{
		svc("redis_manager"),
		svc("database"),
		svc("background_services", "redis_manager", "database"),
		svc("health_monitoring", "redis_manager"),
	}
}

func TestPhasesOfTheSeedExample(t *testing.T) {
	// Given the seed's services
	o := mustNew(t, seedServices(), Options{})

	// When its phases are derived and rendered
	got := FormatPhases(o.Phases())

	// Then the roots come first and both dependents share phase 2
	want := "phase 1: redis_manager, database\nphase 2: background_services, health_monitoring\n"
	if got != want {
		t.Fatalf("phases =\n%s\nwant\n%s", got, want)
	}
}

func TestPhaseIsTheLongestDependencyChain(t *testing.T) {
	// Given d reachable from a both directly and through b -> c
	o := mustNew(t, []Service{svc("d", "a", "c"), svc("c", "b"), svc("b", "a"), svc("a")}, Options{})

	// When phases are derived
	got := o.Phases()

	// Then d sits after the longest chain, not the shortest
	want := [][]string{{"a"}, {"b"}, {"c"}, {"d"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("phases = %v, want %v", got, want)
	}
}
