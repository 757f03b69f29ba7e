package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/rescli/rescli/pkg/chaos/scenario"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/verify"
)

// documents maps each schema to the Go type of its document, from which
// docs/schemas/<schema>.json is generated (rescli docs schemas): the
// schemas cannot drift from what the commands print. A stream's entry
// lists each kind of event it may print.
var documents = map[string][]any{
	schemaVersion:      {BuildInfo{}},
	schemaHerd:         {herd.Report{}},
	schemaHerdBackoff:  {backoffDoc{}},
	schemaHerdPartial:  {herd.Report{}},
	schemaHerdObserve:  {herd.Observation{}},
	schemaWatchEvent:   {watchStartEvent{}, watchTransitionEvent{}, watchSummaryEvent{}, watchServerEvent{}},
	schemaConfig:       {configDoc{}},
	schemaDev:          {devReport{}},
	schemaServe:        {serveResult{}},
	schemaHealth:       {healthJSON{}},
	schemaVerify:       {verify.Report{}},
	schemaVerifyChecks: {verifyChecksDoc{}},
	schemaChaosRun:     {scenario.Report{}},
	schemaChaosPlan:    {planDoc{}},
	schemaChaosInject:  {injectDoc{}},
	schemaChaosRevert:  {revertDoc{}},
	schemaChaosProxies: {chaosProxiesDoc{}},
	schemaChaosProxy:   {chaosProxyDoc{}},
	schemaChaosToxic:   {chaosToxicDoc{}},
	schemaChaosToxics:  {chaosToxicsDoc{}},
}

// schemaFile is the file name of a schema: rescli.herd/v1 → rescli.herd.v1.json.
func schemaFile(schema string) string { return strings.ReplaceAll(schema, "/", ".") + ".json" }

// schemaURL is a schema's $id.
func schemaURL(schema string) string {
	return "https://github.com/rescli/rescli/blob/main/docs/schemas/" + schemaFile(schema)
}

// generateSchema builds the JSON Schema of a document kind: the Go type's
// fields (every field without omitempty required, no others allowed) and a
// "schema" field that must name it.
func generateSchema(schema string, types []any) ([]byte, error) {
	r := &jsonschema.Reflector{ExpandedStruct: true, DoNotReference: true}
	// A type with its own MarshalJSON says which type's fields it writes.
	r.Mapper = func(t reflect.Type) *jsonschema.Schema {
		if s, ok := reflect.Zero(t).Interface().(interface{ JSONShape() any }); ok {
			shape := r.ReflectFromType(reflect.TypeOf(s.JSONShape()))
			shape.Version, shape.ID = "", ""
			return shape
		}
		return nil
	}
	var alts []*jsonschema.Schema
	for _, v := range types {
		s := r.ReflectFromType(reflect.TypeOf(v))
		s.Version, s.ID = "", ""
		if s.Properties == nil {
			return nil, fmt.Errorf("schema %s: %T is not a JSON object", schema, v)
		}
		s.Properties.Set("schema", &jsonschema.Schema{Type: "string", Const: schema})
		s.Required = append([]string{"schema"}, s.Required...)
		alts = append(alts, s)
	}
	top := alts[0]
	if len(alts) > 1 {
		top = &jsonschema.Schema{OneOf: alts}
	}
	top.Version = jsonschema.Version
	top.ID = jsonschema.ID(schemaURL(schema))
	top.Title = schema
	b, err := json.MarshalIndent(top, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", schema, err)
	}
	return append(b, '\n'), nil
}

// writeSchemas writes every document kind's schema into dir.
func writeSchemas(dir string) error {
	for name, types := range documents {
		b, err := generateSchema(name, types)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, schemaFile(name)), b, 0o644); err != nil {
			return fmt.Errorf("write schema: %w", err)
		}
	}
	return nil
}
