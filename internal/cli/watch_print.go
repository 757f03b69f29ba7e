package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/tui"
)

// watchPrinter writes watch's plain lines or NDJSON events.
type watchPrinter struct {
	w     io.Writer
	json  bool
	every time.Duration
	tally map[string]*watchTally
	order []string
	err   error
}

// watchTally is one target's latest reading and the counters at its last
// summary, from which the summary's rate and error share are computed, and
// the server's latest reading and the time of the last one printed.
type watchTally struct {
	last, prev tui.SampleMsg
	printed    bool
	server     *tui.ServerMsg
	serverAt   time.Time
}

func newWatchPrinter(g *Global, every time.Duration) *watchPrinter {
	return &watchPrinter{w: g.IO.Out, json: g.JSON(), every: every, tally: map[string]*watchTally{}}
}

func (p *watchPrinter) start(source string) {
	now := time.Now()
	if p.json {
		p.emit(watchStartEvent{"start", now, source, p.every.Milliseconds()})
		return
	}
	p.line(fmt.Sprintf("%s watching %s: a line per transition, a summary every %s", watchTS(now), source, p.every))
}

func (p *watchPrinter) transition(m tui.TransitionMsg) {
	t := m.Transition
	if p.json {
		p.emit(watchTransitionEvent{Type: "transition", Time: t.At, Target: m.Target, Node: t.Node, From: t.From.String(),
			To: t.To.String(), Reason: t.Reason, Error: t.Err, OpenForMS: t.OpenFor.Milliseconds()})
		return
	}
	target := m.Target
	if t.Node != "" { // a Cluster node's own breaker
		target += " " + t.Node
	}
	s := fmt.Sprintf("%s %s %s → %s %s", watchTS(t.At), target, t.From, t.To, tui.Reason(t))
	if t.OpenFor > 0 {
		s += fmt.Sprintf(" (probe in %s)", t.OpenFor.Round(time.Millisecond))
	}
	p.line(s)
}

func (p *watchPrinter) target(name string) *watchTally {
	t := p.tally[name]
	if t == nil {
		t = &watchTally{}
		p.tally[name] = t
		p.order = append(p.order, name)
	}
	return t
}

func (p *watchPrinter) sample(m tui.SampleMsg) {
	t := p.target(m.Target)
	t.last = m
	if !t.printed || m.At.Sub(t.prev.At) >= p.every {
		p.summary(t)
	}
}

// server keeps the server's latest reading; the first is printed at once,
// the others with the target's summaries.
func (p *watchPrinter) server(m tui.ServerMsg) {
	t := p.target(m.Target)
	t.server = &m
	if t.serverAt.IsZero() {
		p.serverLines(t)
	}
}

// flush prints a last summary of every target read since its last one.
func (p *watchPrinter) flush() {
	for _, name := range p.order {
		if t := p.tally[name]; t.last.At.After(t.prev.At) {
			p.summary(t)
		} else if t.server != nil && t.server.At.After(t.serverAt) {
			p.serverLines(t)
		}
	}
}

func (p *watchPrinter) summary(t *watchTally) {
	ev := newWatchSummary(t.prev, t.last, t.printed)
	t.prev, t.printed = t.last, true
	if p.json {
		p.emit(ev)
	} else {
		p.line(ev.text())
	}
	if t.server != nil && t.server.At.After(t.serverAt) {
		p.serverLines(t)
	}
}

// serverLines prints what the server said last: an event, or a line per
// node (and, for Sentinel, one for the master).
func (p *watchPrinter) serverLines(t *watchTally) {
	ev := newWatchServerEvent(*t.server)
	t.serverAt = t.server.At
	if p.json {
		p.emit(ev)
		return
	}
	for _, l := range ev.lines() {
		p.line(l)
	}
}

// watchStartEvent is the first NDJSON event: what is watched.
type watchStartEvent struct {
	Type           string    `json:"type"`
	Time           time.Time `json:"time"`
	Source         string    `json:"source"`
	SummaryEveryMS int64     `json:"summary_every_ms"`
}

func (p *watchPrinter) emit(v any) { p.keep(printEvent(p.w, schemaWatchEvent, v)) }

func (p *watchPrinter) line(s string) {
	_, err := io.WriteString(p.w, s+"\n")
	p.keep(err)
}

func (p *watchPrinter) keep(err error) {
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("write output: %w", err)
	}
}

type watchTransitionEvent struct {
	Type      string    `json:"type"`
	Time      time.Time `json:"time"`
	Target    string    `json:"target"`
	Node      string    `json:"node,omitempty"` // a Cluster node's own breaker
	From      string    `json:"from"`
	To        string    `json:"to"`
	Reason    string    `json:"reason"`
	Error     string    `json:"error,omitempty"`
	OpenForMS int64     `json:"open_for_ms,omitempty"`
}

func watchTS(t time.Time) string { return t.Format(time.RFC3339) }

func watchOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func watchState(m tui.SampleMsg) string {
	if m.Err != "" {
		return "UNKNOWN"
	}
	return m.Snap.State.String()
}
