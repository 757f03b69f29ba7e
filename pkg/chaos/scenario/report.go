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

// Report is a scenario run.
type Report struct {
	Name   string  `json:"name"`
	Target string  `json:"target"`
	Held   bool    `json:"hypothesis_held"`
	Before bool    `json:"held_before"`
	After  bool    `json:"held_after"`
	Abort  string  `json:"aborted,omitempty"`
	Events []Event `json:"timeline"`

	mu sync.Mutex
	t0 time.Time
	w  io.Writer // live timeline, may be nil
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
