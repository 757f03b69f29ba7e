// Package junit writes JUnit XML as CI systems read it (GitHub and GitLab
// test-report actions, Jenkins): suites of test cases, each passed,
// failed, errored or skipped, with their output. verify's checks and a
// chaos run's probes and steps are written with it.
package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
)

// Outcome is what became of a test case.
type Outcome int

// Outcomes.
const (
	Passed Outcome = iota
	Failed
	Errored
	Skipped
)

// Case is one test case.
type Case struct {
	Name      string
	Classname string
	Seconds   float64
	Outcome   Outcome
	Message   string // why it did not pass (a one-line summary)
	Text      string // details of a failure or error
	SystemOut string
}

// Suite is a named list of cases, with output of its own.
type Suite struct {
	Name      string
	Seconds   float64
	Cases     []Case
	SystemOut string
}

type xmlSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Suites  []xmlSuite `xml:"testsuite"`
}

type xmlSuite struct {
	Name      string    `xml:"name,attr"`
	Tests     int       `xml:"tests,attr"`
	Failures  int       `xml:"failures,attr"`
	Errors    int       `xml:"errors,attr"`
	Skipped   int       `xml:"skipped,attr"`
	Time      float64   `xml:"time,attr"`
	Cases     []xmlCase `xml:"testcase"`
	SystemOut string    `xml:"system-out,omitempty"`
}

type xmlCase struct {
	Name      string      `xml:"name,attr"`
	Classname string      `xml:"classname,attr"`
	Time      float64     `xml:"time,attr"`
	Failure   *xmlMessage `xml:"failure,omitempty"`
	Error     *xmlMessage `xml:"error,omitempty"`
	Skipped   *xmlMessage `xml:"skipped,omitempty"`
	SystemOut string      `xml:"system-out,omitempty"`
}

type xmlMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// Write writes the suites as JUnit XML.
func Write(w io.Writer, suites ...Suite) error {
	var doc xmlSuites
	for _, s := range suites {
		xs := xmlSuite{Name: s.Name, Time: s.Seconds, Tests: len(s.Cases), SystemOut: s.SystemOut}
		seen := map[[2]string]int{}
		for _, c := range s.Cases {
			xc := xmlCase{Name: uniqueName(seen, c), Classname: c.Classname, Time: c.Seconds, SystemOut: c.SystemOut}
			msg := &xmlMessage{Message: c.Message, Text: c.Text}
			switch c.Outcome {
			case Failed:
				xc.Failure, xs.Failures = msg, xs.Failures+1
			case Errored:
				xc.Error, xs.Errors = msg, xs.Errors+1
			case Skipped:
				xc.Skipped, xs.Skipped = &xmlMessage{Message: c.Message}, xs.Skipped+1
			}
			xs.Cases = append(xs.Cases, xc)
		}
		doc.Suites = append(doc.Suites, xs)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// uniqueName is c's name, numbered from its second use in a suite ("name
// #2"): CI report readers key cases by class and name, and merge or drop
// repeats (two probes of one kind in a hypothesis, verify's checks of two
// nodes).
func uniqueName(seen map[[2]string]int, c Case) string {
	k := [2]string{c.Classname, c.Name}
	seen[k]++
	if n := seen[k]; n > 1 {
		return fmt.Sprintf("%s #%d", c.Name, n)
	}
	return c.Name
}

// WriteFile writes the suites as JUnit XML to path.
func WriteFile(path string, suites ...Suite) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if err := Write(f, suites...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
