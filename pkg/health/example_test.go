package health_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
)

// A service embeds the health endpoints beside its own routes. The
// checker polls in the background; every request is answered from what it
// cached, so /health stays fast while Redis hangs.
func Example() {
	m, err := manager.New(manager.Options{URL: os.Getenv("REDIS_URL")})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	checker, err := health.New(health.Options{
		Version:    "1.4.2",
		Manager:    m,
		AdminToken: os.Getenv("RESCLI_ADMIN_TOKEN"), // empty: admin endpoints answer 404
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := checker.Start(ctx); err != nil { // returns after the first poll
		log.Fatal(err)
	}
	defer checker.Stop(context.Background())

	h := checker.Handler() // one handler: each call builds its own mux and metrics registry
	mux := http.NewServeMux()
	mux.Handle("/health", h)
	mux.Handle("/health/", h)
	mux.Handle("/metrics", h)
	// mux.Handle("/", yourApp)
	_ = http.ListenAndServe("127.0.0.1:8080", mux)
}

// Reading another service's health, whatever format it speaks.
func ExampleClient_FetchService() {
	c := &health.Client{Token: os.Getenv("RESCLI_ADMIN_TOKEN"), Timeout: 2 * time.Second}
	r := c.FetchService(context.Background(), "http://127.0.0.1:8080", false)
	if r.Err != nil {
		log.Print(r.Err)
		return
	}
	log.Printf("%s: %s", r.URL, r.Status)
}
