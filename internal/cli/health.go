package cli

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/health"
)

// healthOptions are `rescli health`'s flags.
type healthOptions struct {
	Services   []string
	Token      string
	Detailed   bool
	FailOnWarn bool
	Timeout    time.Duration
}

// NewHealthCmd builds `rescli health`.
func NewHealthCmd(g *Global) *cobra.Command {
	o := &healthOptions{}
	cmd := &cobra.Command{
		Use:   "health --service URL [--service URL ...]",
		Short: "Fetch and report the health of running services",
		Long: `health fetches the health endpoints of several services in parallel, each within
--timeout, and prints one report. A base URL (http://host:port) is a rescli-style service:
GET /health, and with an admin token also /health/redis and /health/services (or only
/health/detailed with --detailed). A URL with a path is fetched as it is and read as
whichever format it speaks: application/health+json, Spring Boot Actuator
(/actuator/health), Kubernetes /livez or /readyz?verbose text, or plain 200/503.

A service's status is its own verdict (/health or /health/detailed); the admin documents
add detail. An admin document the service answers 404 for (no admin token configured there,
or nothing to report) is shown as not available and fails nothing; without /health/detailed
the service is judged by /health. Exit 0 when every service passes (warn passes unless --fail-on-warn), 1 when
any fails or cannot be reached or read, 2 on usage errors (bad flags, a malformed service
URL, a missing or wrong admin token).`,
		Example: `  rescli health --service http://127.0.0.1:8080
  RESCLI_ADMIN_TOKEN=s3cret rescli health --service http://a:8080 --service http://b:8080 -o json
  rescli health --service http://app:8080/actuator/health --service https://k8s:6443/readyz?verbose`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Token == "" {
				o.Token = g.Getenv(envAdminToken)
			}
			if len(o.Services) == 0 {
				o.Services = g.ContextServices()
			}
			return runHealth(cmd.Context(), g, o)
		},
	}
	jsonDocument(cmd, schemaHealth)
	f := cmd.Flags()
	f.StringArrayVar(&o.Services, "service", nil, "service base URL or health URL (repeatable; default: the context's services)")
	f.StringVar(&o.Token, "token", "", "admin token for the admin endpoints (env "+envAdminToken+")")
	f.BoolVar(&o.Detailed, "detailed", false, "fetch /health/detailed (needs the admin token)")
	f.BoolVar(&o.FailOnWarn, "fail-on-warn", false, "exit 1 when any service warns")
	f.DurationVar(&o.Timeout, "timeout", 5*time.Second, "timeout of each request")
	return cmd
}

func (o *healthOptions) validate() error {
	switch {
	case len(o.Services) == 0:
		return Usagef("missing --service: give at least one service URL")
	case o.Timeout <= 0:
		return Usagef("invalid --timeout %v: want more than 0", o.Timeout)
	case o.Detailed && o.Token == "":
		return Usagef("--detailed needs the admin token: --token or env %s", envAdminToken)
	}
	return nil
}

func runHealth(ctx context.Context, g *Global, o *healthOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	client := &health.Client{Token: o.Token, Timeout: o.Timeout}
	reports := make([]health.ServiceReport, len(o.Services))
	var wg sync.WaitGroup
	for i, u := range o.Services {
		wg.Go(func() { reports[i] = client.FetchService(ctx, u, o.Detailed) })
	}
	wg.Wait()
	if g.JSON() {
		if err := writeHealthJSON(g.IO.Out, reports); err != nil {
			return err
		}
	} else if err := renderHealth(g, reports); err != nil {
		return err
	}
	return healthVerdict(reports, o.FailOnWarn)
}

// healthVerdict maps the reports to the documented exit code (issue
// "Health endpoints"): 1 when any service fails or could not be read (or
// warns with --fail-on-warn), else 0. Usage errors exit 2 before this.
func healthVerdict(reports []health.ServiceReport, failOnWarn bool) error {
	var errs []string
	failing := 0
	for _, r := range reports {
		switch {
		case errors.Is(r.Err, health.ErrBadURL), errors.Is(r.Err, health.ErrUnauthorized), errors.Is(r.Err, health.ErrForbidden):
			return &UsageError{Err: errors.New(r.Error)}
		case r.Err != nil:
			errs = append(errs, r.Error)
		case r.Status == health.Fail, failOnWarn && r.Status == health.Warn:
			failing++
		}
	}
	if len(errs) > 0 {
		return CheckFailed("%d of %d services could not be checked: %s", len(errs), len(reports), strings.Join(errs, "; "))
	}
	if failing > 0 {
		return CheckFailed("%d of %d services unhealthy", failing, len(reports))
	}
	return nil
}
