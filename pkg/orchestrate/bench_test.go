package orchestrate

import (
	"context"
	"fmt"
	"testing"
)

// wideGraph is n services where service i depends on services i/4 and i/7,
// a fan-out a few levels deep like a large application's background jobs.
func wideGraph(n int) []Service {
	services := make([]Service, n)
	for i := range services {
		services[i] = Service{Name: fmt.Sprintf("svc-%04d", i), Start: nop, Stop: nop}
		if i > 0 {
			services[i].DependsOn = []string{fmt.Sprintf("svc-%04d", i/4), fmt.Sprintf("svc-%04d", i/7)}
		}
	}
	return services
}

// BenchmarkRun measures the orchestrator's own overhead: validating,
// starting and stopping services whose Start and Stop return at once.
//
//	go test -run '^$' -bench Run -benchmem ./pkg/orchestrate/
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{40, 400, 4000} {
		services := wideGraph(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				o, err := New(services, Options{MaxConcurrent: 20, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := o.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				if err := o.Stop(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
