package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rescli/rescli/pkg/verify"
)

type verifyOptions struct {
	g          *Global
	opts       verify.Options
	list       bool
	junit      string
	failOnWarn bool
}

// NewVerifyCmd builds `rescli verify`.
func NewVerifyCmd(g *Global) *cobra.Command {
	o := &verifyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run resilience checks against a Redis target and its services, for CI",
		Long: `Run resilience checks against a Redis target (--redis-url / REDIS_URL) and the services
that use it (--service), e.g. staging before a deploy. Every check prints pass [✓], warn [!],
fail [✗], error (could not run) or skipped, with the measured value, its time and, on warn or
fail, a hint on how to fix it. The resilience checks are client side only (an in-process fault
proxy in front of the target), so they are safe for staging.

Exit codes: 0 nothing failed, 1 a check failed or errored (or warned, with --fail-on-warn),
2 verify could not run (bad flags, or the target could not be reached at all — the report is
still printed). With -o json, one document (schema rescli.verify/v1; --list-checks prints
rescli.verify.checks/v1). With GITHUB_STEP_SUMMARY set, a Markdown summary is appended there.`,
		Example: `  rescli verify --redis-url redis://:$REDIS_PASSWORD@staging-redis:6379
  rescli verify --service http://127.0.0.1:8080 --token $RESCLI_ADMIN_TOKEN --junit verify.xml
  rescli verify --checks connectivity,latency,headroom -o json
  rescli verify --redis-url redis://staging-redis:6379 --fail-on-warn
  rescli verify --list-checks`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	jsonDocument(cmd, schemaVerify)
	f := cmd.Flags()
	f.StringSliceVar(&o.opts.Services, "service", nil, "base URL of a service exposing rescli's health endpoints (repeatable; default: the context's services)")
	f.StringVar(&o.opts.Token, "token", "", "admin token for the services' /health/* endpoints (env RESCLI_ADMIN_TOKEN)")
	f.StringSliceVar(&o.opts.Only, "checks", nil, "run only these checks (see --list-checks)")
	f.StringSliceVar(&o.opts.Skip, "skip", nil, "skip these checks")
	f.BoolVar(&o.list, "list-checks", false, "list the checks and exit")
	f.StringVar(&o.junit, "junit", "", "also write JUnit XML to this file")
	f.BoolVar(&o.failOnWarn, "fail-on-warn", false, "exit 1 when a check warns, as when one fails")
	f.StringVar(&o.opts.Role, "role", "", "what the target is for: cache or store (sharpens the memory and persistence checks)")
	f.IntVar(&o.opts.Pings, "pings", 100, "PINGs for the latency check")
	f.DurationVar(&o.opts.LatencyWarn, "latency-warn", 10*time.Millisecond, "p99 PING latency that warns")
	f.DurationVar(&o.opts.LatencyFail, "latency-fail", 100*time.Millisecond, "p99 PING latency that fails")
	f.IntVar(&o.opts.HerdServices, "herd-services", 20, "services in the managed herd check")
	return cmd
}

func (o *verifyOptions) run(ctx context.Context) error {
	if o.list {
		return o.listChecks()
	}
	if len(o.opts.Only) > 0 && len(o.opts.Skip) > 0 {
		return Usagef("--checks and --skip cannot be used together")
	}
	if len(o.opts.Services) == 0 {
		o.opts.Services = o.g.ContextServices()
	}
	if o.g.RedisURL == "" && len(o.opts.Services) == 0 {
		return Usagef("nothing to verify: give --redis-url (or REDIS_URL) and/or --service")
	}
	o.opts.RedisURL = o.g.RedisURL
	if o.opts.Token == "" {
		o.opts.Token = o.g.Getenv("RESCLI_ADMIN_TOKEN")
	}
	rep, err := verify.Run(ctx, o.opts)
	if rep == nil {
		return &UsageError{Err: err}
	}
	if werr := o.write(rep); werr != nil {
		return werr
	}
	switch {
	case errors.Is(err, verify.ErrUnreachable):
		return fmt.Errorf("verify could not run: %w", err)
	case err != nil:
		return err
	case rep.Failed():
		return CheckFailed("verify: %d of %d checks failed", rep.Counts[verify.Fail]+rep.Counts[verify.Error], len(rep.Results))
	case o.failOnWarn && rep.Counts[verify.Warn] > 0:
		return CheckFailed("verify: %d of %d checks warned (--fail-on-warn)", rep.Counts[verify.Warn], len(rep.Results))
	}
	return nil
}

func (o *verifyOptions) write(rep *verify.Report) error {
	if o.junit != "" {
		if err := rep.WriteJUnitFile(o.junit); err != nil {
			return err
		}
	}
	o.g.appendStepSummary(rep.WriteMarkdown)
	if o.g.JSON() {
		return printJSON(o.g.IO.Out, schemaVerify, rep)
	}
	w := tabwriter.NewWriter(o.g.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "rescli verify · %s\n\n", targetOrServices(rep, o.opts.Services))
	for _, r := range rep.Results {
		name := r.Name
		if strings.HasPrefix(r.Name, "service-") {
			name += " " + r.Target
		}
		fmt.Fprintf(w, "%s %s\t%s\t%s\n", o.mark(r.Status), name, r.Value, fmtMillis(r.Millis))
		if r.Hint != "" && (r.Status == verify.Warn || r.Status == verify.Fail) {
			fmt.Fprintf(w, "    hint: %s\n", r.Hint)
		}
	}
	c := rep.Counts
	fmt.Fprintf(w, "\n%d pass, %d warn, %d fail, %d error, %d skipped in %s\n", c[verify.Pass], c[verify.Warn], c[verify.Fail], c[verify.Error], c[verify.Skipped], fmtMillis(rep.Millis))
	return w.Flush()
}

func (o *verifyOptions) mark(s verify.Status) string {
	return statusStyle(o.g, string(s)).Render(verify.Mark(s))
}

// verifyChecksDoc is `verify --list-checks -o json`'s document.
type verifyChecksDoc struct {
	Checks []verifyCheckDoc `json:"checks"`
}

type verifyCheckDoc struct {
	Name        string `json:"name"`
	Scope       string `json:"scope"` // target or service
	Description string `json:"description"`
}

func (o *verifyOptions) listChecks() error {
	if o.g.JSON() {
		doc := verifyChecksDoc{}
		for _, c := range verify.Checks() {
			doc.Checks = append(doc.Checks, verifyCheckDoc{Name: c.Name, Scope: map[bool]string{true: "service", false: "target"}[c.PerService], Description: c.Description})
		}
		return printJSON(o.g.IO.Out, schemaVerifyChecks, doc)
	}
	w := tabwriter.NewWriter(o.g.IO.Out, 0, 0, 2, ' ', 0)
	for _, c := range verify.Checks() {
		scope := "target"
		if c.PerService {
			scope = "service"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", c.Name, scope, c.Description)
	}
	return w.Flush()
}

func targetOrServices(rep *verify.Report, services []string) string {
	parts := []string{}
	if rep.Target != "" {
		parts = append(parts, rep.Target)
	}
	return strings.Join(append(parts, services...), ", ")
}

func fmtMillis(ms float64) string {
	d := time.Duration(ms * float64(time.Millisecond))
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
