package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// matchesSchema checks a document rescli printed against its JSON Schema
// in docs/schemas.
func matchesSchema(t *testing.T, schema string, doc []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%s: not JSON: %v", schema, err)
	}
	if err := compileSchema(t, schema).Validate(v); err != nil {
		t.Errorf("a document does not match %s: %v\n%s", schemaFile(schema), err, doc)
	}
}

// herd -o json and herd backoff -o json match their schemas (the split
// test checks partial reports, an observation and a merged report).
func TestHerdDocumentsMatchTheirSchemas(t *testing.T) {
	run := func(args ...string) []byte {
		var out, errOut strings.Builder
		if code := Main(args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" }); code != 0 {
			t.Fatalf("rescli %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
		}
		return []byte(out.String())
	}
	matchesSchema(t, schemaHerd, run("herd", "--embedded", "--services", "5", "--steady", "10ms", "-o", "json"))
	matchesSchema(t, schemaHerdBackoff, run("herd", "backoff", "--clients", "5", "-o", "json"))

	// The schema is strict: a field it does not know is an error.
	var doc map[string]any
	_ = json.Unmarshal(run("herd", "--embedded", "--services", "2", "--strategy", "managed", "--steady", "10ms", "-o", "json"), &doc)
	doc["surprise"] = 1
	b, _ := json.Marshal(doc)
	sch := compileSchema(t, schemaHerd)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if sch.Validate(v) == nil {
		t.Error("herd.json accepts a field it does not declare")
	}
}
