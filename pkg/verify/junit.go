package verify

import (
	"fmt"
	"io"
	"strings"

	"github.com/rescli/rescli/internal/junit"
)

// junit is the report as one JUnit suite, one test case per check and
// target; the classname is the target or service.
func (r *Report) junit() junit.Suite {
	s := junit.Suite{Name: "rescli verify", Seconds: r.Millis / 1000}
	seen := map[string]int{}
	for _, res := range r.Results {
		name := res.Name
		if seen[res.Name+"\x00"+res.Target]++; seen[res.Name+"\x00"+res.Target] > 1 {
			name = fmt.Sprintf("%s #%d", res.Name, seen[res.Name+"\x00"+res.Target])
		}
		c := junit.Case{Name: name, Classname: res.Target, Seconds: res.Millis / 1000, Message: res.Value,
			Text: strings.TrimSpace(res.Value + "\n" + res.Hint)}
		switch res.Status {
		case Fail:
			c.Outcome = junit.Failed
		case Error:
			c.Outcome = junit.Errored
		case Skipped:
			c.Outcome = junit.Skipped
		case Warn:
			c.SystemOut = "warn: " + res.Value + "\nhint: " + res.Hint
		default:
			c.SystemOut = res.Value
		}
		s.Cases = append(s.Cases, c)
	}
	return s
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error { return junit.Write(w, r.junit()) }

// WriteJUnitFile writes the JUnit XML to path.
func (r *Report) WriteJUnitFile(path string) error { return junit.WriteFile(path, r.junit()) }

// Mark is the table mark of a status.
func Mark(s Status) string {
	switch s {
	case Pass:
		return "[✓]"
	case Warn:
		return "[!]"
	case Fail, Error:
		return "[✗]"
	}
	return "[-]"
}

// WriteMarkdown writes a GitHub step summary.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### rescli verify — %s\n\n", r.Target)
	fmt.Fprintf(&b, "%d pass, %d warn, %d fail, %d error, %d skipped\n\n", r.Counts[Pass], r.Counts[Warn], r.Counts[Fail], r.Counts[Error], r.Counts[Skipped])
	b.WriteString("| | check | target | value | hint |\n|---|---|---|---|---|\n")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, res := range r.Results {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", Mark(res.Status), res.Name, esc.Replace(res.Target), esc.Replace(res.Value), esc.Replace(res.Hint))
	}
	_, err := io.WriteString(w, b.String()+"\n")
	return err
}
