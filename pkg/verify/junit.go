package verify

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
)

// JUnit XML as GitLab and GitHub test-report actions read it: one suite,
// one testcase per check and target; classname is the target or service.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     float64     `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	s := junitSuite{Name: "rescli verify", Time: r.Millis / 1000}
	seen := map[string]int{}
	for _, res := range r.Results {
		name := res.Name
		if seen[res.Name+"\x00"+res.Target]++; seen[res.Name+"\x00"+res.Target] > 1 {
			name = fmt.Sprintf("%s #%d", res.Name, seen[res.Name+"\x00"+res.Target])
		}
		c := junitCase{Name: name, Classname: res.Target, Time: res.Millis / 1000}
		msg := &junitMessage{Message: res.Value, Text: strings.TrimSpace(res.Value + "\n" + res.Hint)}
		switch res.Status {
		case Fail:
			c.Failure, s.Failures = msg, s.Failures+1
		case Error:
			c.Error, s.Errors = msg, s.Errors+1
		case Skipped:
			c.Skipped, s.Skipped = &junitMessage{Message: res.Value}, s.Skipped+1
		case Warn:
			c.SystemOut = "warn: " + res.Value + "\nhint: " + res.Hint
		default:
			c.SystemOut = res.Value
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the JUnit XML to path.
func (r *Report) WriteJUnitFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if err := r.WriteJUnit(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

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
