package scenario

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Event is one line of the timeline.
type Event struct {
	At   time.Duration `json:"at_ns"`
	Kind string        `json:"kind"` // hypothesis, fault, herd, probe, abort, rollback, breaker, verdict
	OK   *bool         `json:"ok,omitempty"`
	Text string        `json:"text"`
}

// Report is a scenario run. Held is true only when the hypothesis held
// before and after, every step of the method ran in full (status done),
// nothing aborted the method and the rollbacks succeeded.
type Report struct {
	Name   string `json:"name"`
	Target string `json:"target"`
	Held   bool   `json:"hypothesis_held"`
	Before bool   `json:"held_before"`
	After  bool   `json:"held_after"`
	// Abort says why the method stopped early: a during-probe, a step that
	// failed, an interrupt.
	Abort string `json:"aborted,omitempty"`
	// RollbackError says what a rollback could not undo (the journal keeps
	// it for `rescli chaos revert`).
	RollbackError string       `json:"rollback_error,omitempty"`
	Steps         []StepReport `json:"steps"`
	Events        []Event      `json:"timeline"`

	mu sync.Mutex
	t0 time.Time
	w  io.Writer // live timeline, may be nil
}

// Step statuses, in a StepReport.
const (
	StepNotRun   = "not_run"   // the method ended before the step's time, or never ran
	StepRunning  = "running"   // applied, not yet over
	StepDone     = "done"      // applied for its whole duration and undone
	StepCutShort = "cut_short" // applied, ended early by an abort or interrupt, undone
	StepRefused  = "refused"   // refused before it changed anything
	StepFailed   = "failed"    // applying or undoing it failed
)

// StepReport is what became of one method step.
type StepReport struct {
	Step   string `json:"step"`   // its path, "$.method[1]"
	Action string `json:"action"` // "server maxclients 5", "proxy latency", "herd of 20"
	Status string `json:"status"` // one of the Step* statuses
	Error  string `json:"error,omitempty"`
}

// setStep records step i's status (and error, when not nil).
func (r *Report) setStep(i int, status string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Steps[i].Status = status
	if err != nil {
		r.Steps[i].Error = err.Error()
	}
}

// setAbort records why the method stopped, keeping the first reason; it
// reports whether this one was first.
func (r *Report) setAbort(reason string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Abort != "" {
		return false
	}
	r.Abort = reason
	return true
}

// ranInFull reports whether every step was done.
func (r *Report) ranInFull() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.Steps {
		if st.Status != StepDone {
			return false
		}
	}
	return true
}

func (r *Report) add(kind string, ok *bool, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := Event{At: time.Since(r.t0), Kind: kind, OK: ok, Text: fmt.Sprintf(format, args...)}
	r.Events = append(r.Events, e)
	if r.w != nil {
		fmt.Fprintln(r.w, FormatEvent(e))
	}
}

// FormatEvent renders one timeline line, e.g. "+1.20s  fault     [✓] proxy latency on".
func FormatEvent(e Event) string {
	mark := "   "
	if e.OK != nil {
		mark = "[✗]"
		if *e.OK {
			mark = "[✓]"
		}
	}
	return fmt.Sprintf("+%6.2fs  %-10s %s %s", e.At.Seconds(), e.Kind, mark, e.Text)
}

func ptr(b bool) *bool { return &b }
