package junit

import (
	"encoding/xml"
	"strings"
	"testing"
)

// The XML reads back as CI systems read it, every case named once per
// class, and outcomes counted on the suite.
func TestWrite(t *testing.T) {
	var b strings.Builder
	err := Write(&b, Suite{Name: "s", Cases: []Case{
		{Name: "after: goodput", Classname: "t"},
		{Name: "after: goodput", Classname: "t", Outcome: Failed, Message: "low", Text: "goodput 10%"},
		{Name: "after: goodput", Classname: "other"},
		{Name: "after: goodput", Classname: "t", Outcome: Skipped, Message: "not run"},
		{Name: "x & <y>", Classname: "t", Outcome: Errored, Message: "boom"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var doc xmlSuites
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	s := doc.Suites[0]
	var names []string
	for _, c := range s.Cases {
		names = append(names, c.Classname+"/"+c.Name)
	}
	want := "t/after: goodput|t/after: goodput #2|other/after: goodput|t/after: goodput #3|t/x & <y>"
	if got := strings.Join(names, "|"); got != want {
		t.Fatalf("names %q, want %q", got, want)
	}
	if s.Tests != 5 || s.Failures != 1 || s.Errors != 1 || s.Skipped != 1 {
		t.Fatalf("counts tests %d failures %d errors %d skipped %d", s.Tests, s.Failures, s.Errors, s.Skipped)
	}
	if f := s.Cases[1].Failure; f == nil || f.Message != "low" || f.Text != "goodput 10%" {
		t.Fatalf("failure %+v", f)
	}
}
