package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// matchesSchema checks a document rescli printed against its JSON Schema
// in docs/schemas.
func matchesSchema(t *testing.T, file string, doc []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "..", "docs", "schemas", file))
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", file, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("a document does not match docs/schemas/%s: %v\n%s", file, err, doc)
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
	matchesSchema(t, "herd.json", run("herd", "--embedded", "--services", "5", "--steady", "10ms", "-o", "json"))
	matchesSchema(t, "herd.backoff.json", run("herd", "backoff", "--clients", "5", "-o", "json"))

	// The schema is strict: a field it does not know is an error.
	var doc map[string]any
	_ = json.Unmarshal(run("herd", "--embedded", "--services", "2", "--strategy", "managed", "--steady", "10ms", "-o", "json"), &doc)
	doc["surprise"] = 1
	b, _ := json.Marshal(doc)
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "..", "docs", "schemas", "herd.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if sch.Validate(v) == nil {
		t.Error("herd.json accepts a field it does not declare")
	}
}
