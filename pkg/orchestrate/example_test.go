package orchestrate_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rescli/rescli/pkg/orchestrate"
)

func Example() {
	up := func(context.Context) error { return nil }
	services := []orchestrate.Service{
		{Name: "redis_manager", Critical: true, Start: up, StartTimeout: 5 * time.Second, Retries: 3},
		{Name: "database", Critical: true, Start: up},
		{Name: "background_services", DependsOn: []string{"redis_manager", "database"}, Start: up},
		{Name: "health_monitoring", DependsOn: []string{"redis_manager"},
			Start: func(context.Context) error { return errors.New("port in use") }},
	}
	o, err := orchestrate.New(services, orchestrate.Options{MaxConcurrent: 4, Jitter: 10 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(orchestrate.FormatPhases(o.Phases()))

	rep, err := o.Run(context.Background())
	fmt.Println("start-up error:", err)
	for _, s := range rep.Services {
		fmt.Println(s.Name, s.Result)
	}
	_ = o.Stop(context.Background())
	// Output:
	// phase 1: redis_manager, database
	// phase 2: background_services, health_monitoring
	// start-up error: <nil>
	// redis_manager started
	// database started
	// background_services started
	// health_monitoring degraded
}

func ExampleValidate() {
	start := func(context.Context) error { return nil }
	err := orchestrate.Validate([]orchestrate.Service{
		{Name: "api", DependsOn: []string{"cache"}, Start: start},
		{Name: "cache", DependsOn: []string{"db"}, Start: start},
		{Name: "db", DependsOn: []string{"api", "queue"}, Start: start},
	})
	fmt.Println(err)
	// Output:
	// service "db": unknown dependency "queue"
	// dependency cycle: api -> cache -> db -> api
}
