package scenario

import (
	"fmt"
	"io"
	"strings"

	"github.com/rescli/rescli/internal/junit"
)

// JUnit is the run as one JUnit suite for CI: each hypothesis check
// (before and after the method) and each method step is a test case, and
// a last case is the verdict; the whole timeline is the suite's output.
func (r *Report) JUnit() junit.Suite {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := junit.Suite{Name: "rescli chaos run: " + r.Name}
	var timeline strings.Builder
	for _, e := range r.Events {
		timeline.WriteString(FormatEvent(e) + "\n")
		s.Seconds = e.At.Seconds()
		if e.Kind != "hypothesis" || e.OK == nil {
			continue
		}
		c := junit.Case{Name: "hypothesis " + e.Text, Classname: r.Target, SystemOut: e.Text}
		if phase, check, ok := strings.Cut(e.Text, ": "); ok {
			c.Name = phase + ": " + strings.Fields(check)[0]
		}
		if !*e.OK {
			c.Outcome, c.Message, c.Text = junit.Failed, e.Text, e.Text
		}
		s.Cases = append(s.Cases, c)
	}
	for _, st := range r.Steps {
		c := junit.Case{Name: st.Step + " " + st.Action, Classname: r.Target, SystemOut: st.Status}
		switch st.Status {
		case StepRefused, StepFailed:
			c.Outcome, c.Message, c.Text = junit.Failed, st.Status+": "+st.Error, st.Error
		case StepCutShort, StepNotRun:
			c.Outcome, c.Message = junit.Skipped, st.Status
		}
		s.Cases = append(s.Cases, c)
	}
	verdict := junit.Case{Name: "verdict", Classname: r.Target, SystemOut: "hypothesis held"}
	if !r.Held {
		why := r.Abort
		if why == "" {
			why = r.RollbackError
		}
		if why == "" {
			why = "the hypothesis did not hold"
		}
		verdict.Outcome, verdict.Message, verdict.Text = junit.Failed, why, why
	}
	s.Cases = append(s.Cases, verdict)
	s.SystemOut = timeline.String()
	return s
}

// WriteMarkdown writes the run as a GitHub step summary: the verdict, the
// steps and the timeline.
func (r *Report) WriteMarkdown(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	verdict := "✓ hypothesis held"
	if !r.Held {
		verdict = "✗ failed"
		if r.Abort != "" {
			verdict += ": aborted — " + r.Abort
		} else if r.RollbackError != "" {
			verdict += ": rollback — " + r.RollbackError
		}
	}
	fmt.Fprintf(&b, "### rescli chaos run — %s\n\n%s · target %s\n\n", r.Name, verdict, r.Target)
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	b.WriteString("| step | action | status | error |\n|---|---|---|---|\n")
	for _, st := range r.Steps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", st.Step, esc.Replace(st.Action), st.Status, esc.Replace(st.Error))
	}
	b.WriteString("\n<details><summary>timeline</summary>\n\n```\n")
	for _, e := range r.Events {
		b.WriteString(FormatEvent(e) + "\n")
	}
	b.WriteString("```\n</details>\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}
