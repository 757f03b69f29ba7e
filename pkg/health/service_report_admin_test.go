package health

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/rescli/rescli/pkg/orchestrate"
)

// servicesOnlyChecker is a rescli service without a Redis manager: it
// serves /health, never /health/redis, and the other admin documents only
// when token is set.
func servicesOnlyChecker(t *testing.T, token string) *Checker {
	t.Helper()
	o, err := orchestrate.New([]orchestrate.Service{
		{Name: "api", Critical: true, Start: func(context.Context) error { return nil }},
	}, orchestrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	c, err := New(Options{Orchestrator: o, AdminToken: token, Interval: time.Hour, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	return c
}

// A service that answers 404 on admin documents (none configured, or no
// Redis to report) is not failing: its verdict is its own /health, and the
// documents it lacks are listed as unavailable rather than as an error.
func TestFetchServiceWithoutAdminEndpoints(t *testing.T) {
	noAdmin := serve(t, servicesOnlyChecker(t, ""))
	noRedis := serve(t, servicesOnlyChecker(t, secretToken))
	cases := []struct {
		name        string
		base        string
		detailed    bool
		documents   []string
		unavailable []string
	}{
		{"admin disabled", noAdmin.URL, false, []string{PathBasic}, []string{PathRedis, PathServices}},
		{"admin disabled, detailed", noAdmin.URL, true, []string{PathBasic}, []string{PathDetailed}},
		{"no redis view", noRedis.URL, false, []string{PathBasic, PathServices}, []string{PathRedis}},
		{"no redis view, detailed", noRedis.URL, true, []string{PathDetailed}, nil},
	}
	c := &Client{Token: secretToken, Timeout: 2 * time.Second}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a service without some admin documents
			// When it is fetched with an admin token
			r := c.FetchService(context.Background(), tc.base, tc.detailed)
			// Then it is judged by its own verdict, not as unreachable
			if r.Err != nil || r.Error != "" || r.Status != Pass {
				t.Fatalf("report status %q, error %v; want pass and no error", r.Status, r.Err)
			}
			var docs []string
			for _, d := range r.Documents {
				docs = append(docs, urlPath(t, d.URL))
			}
			if !slices.Equal(docs, tc.documents) {
				t.Errorf("documents %v, want %v", docs, tc.documents)
			}
			var missing []string
			for _, u := range r.Unavailable {
				missing = append(missing, urlPath(t, u))
			}
			if !slices.Equal(missing, tc.unavailable) {
				t.Errorf("unavailable %v, want %v", missing, tc.unavailable)
			}
		})
	}
}

func urlPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
