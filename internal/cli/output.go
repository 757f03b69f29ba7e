package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Schema names the kind and version of each JSON document rescli prints:
// with -o json a command prints exactly one document on stdout (NDJSON,
// one document a line, where it streams), and each carries its schema as
// its first field. docs/schemas/<name>.json describes each one.
const (
	schemaHerd         = "rescli.herd/v1"
	schemaHerdBackoff  = "rescli.herd.backoff/v1"
	schemaHerdPartial  = "rescli.herd.partial/v1"
	schemaHerdObserve  = "rescli.herd.observe/v1"
	schemaWatchEvent   = "rescli.watch.event/v1"
	schemaHealth       = "rescli.health/v1"
	schemaVerify       = "rescli.verify/v1"
	schemaVerifyChecks = "rescli.verify.checks/v1"
	schemaChaosRun     = "rescli.chaos.run/v1"
	schemaChaosPlan    = "rescli.chaos.plan/v1"
	schemaChaosInject  = "rescli.chaos.inject/v1"
	schemaChaosRevert  = "rescli.chaos.revert/v1"
	schemaChaosProxies = "rescli.chaos.proxies/v1"
	schemaChaosProxy   = "rescli.chaos.proxy/v1"
	schemaChaosToxic   = "rescli.chaos.toxic/v1"
	schemaChaosToxics  = "rescli.chaos.toxics/v1"
	schemaServe        = "rescli.serve/v1"
	schemaDev          = "rescli.dev/v1"
	schemaVersion      = "rescli.version/v1"
	schemaConfig       = "rescli.config/v1"
)

// withSchema renders v as a JSON object whose first field is "schema".
func withSchema(schema string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", schema, err)
	}
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("encode %s: a document must be a JSON object", schema)
	}
	head := fmt.Appendf(nil, `{"schema":%q`, schema)
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] != '}' {
		head = append(head, ',')
	}
	return append(head, body[1:]...), nil
}

// printJSON writes v to w as one indented JSON document with its schema.
func printJSON(w io.Writer, schema string, v any) error {
	b, err := withSchema(schema, v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// printEvent writes v to w as one NDJSON line with its schema.
func printEvent(w io.Writer, schema string, v any) error {
	b, err := withSchema(schema, v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// appendStepSummary appends a Markdown summary to the file named by
// GITHUB_STEP_SUMMARY (GitHub Actions shows it on the run's page), when
// set. A file that cannot be written costs one warning, not the verdict.
func (g *Global) appendStepSummary(write func(io.Writer) error) {
	path := g.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		err = errors.Join(write(f), f.Close())
	}
	if err != nil {
		fprintln(g.IO.ErrOut, "rescli: warning: GITHUB_STEP_SUMMARY not written: "+err.Error())
	}
}
