package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/redisstat"
)

// watched is everything the screen knows about one target.
type watched struct {
	name   string
	seen   bool // a sample arrived
	at     time.Time
	snap   manager.Snapshot
	err    string
	detail string
	// server is what Redis said last; nil until a ServerMsg arrived (and
	// for services, whose Redis rescli does not read).
	server *redisstat.Sample

	roll         rolling
	rate, errPct float64
	rated        bool
	// lat are p50, p90, p99 over the window (latN requests) when windowed;
	// else the snapshot's lifetime percentiles are shown.
	lat      [3]time.Duration
	latN     uint64
	windowed bool
	rateLine series
	errLine  series
}

// state is the word shown: the breaker's state, or UNKNOWN when the last
// reading failed or none arrived yet.
func (t *watched) state() string {
	if !t.seen || t.err != "" {
		return "UNKNOWN"
	}
	return t.snap.State.String()
}

// logEntry is one line of the transition log.
type logEntry struct {
	target string
	t      manager.Transition
}

func (e logEntry) text() string {
	return strings.Join([]string{e.target, e.t.From.String(), e.t.To.String(), e.t.Reason, e.t.Err}, " ")
}

// logLine is one line of the log pane; n identical lines in a row (a
// failed dial per probe during an outage) are one line, shown with ×n.
type logLine struct {
	LogMsg // the last of them
	n      int
}

// data is what the screen shows; the model keeps a live copy that every
// message updates and, while paused, a frozen clone that the view renders.
type data struct {
	targets []*watched
	log     []logEntry // oldest first
	lines   []logLine  // oldest first
	faults  []ActiveFault
	now     time.Time // the newest time seen in any message
}

func (d *data) find(name string) *watched {
	for _, t := range d.targets {
		if t.name == name {
			return t
		}
	}
	return nil
}

func (d *data) ensure(name string, cfg *WatchConfig) *watched {
	if t := d.find(name); t != nil {
		return t
	}
	t := &watched{
		name:     name,
		roll:     rolling{window: cfg.Window},
		rateLine: series{bucket: cfg.Bucket, keep: cfg.History},
		errLine:  series{bucket: cfg.Bucket, keep: cfg.History, peak: true},
	}
	d.targets = append(d.targets, t)
	return t
}

func (d *data) sample(m SampleMsg, cfg *WatchConfig) {
	t := d.ensure(m.Target, cfg)
	d.advance(m.At)
	t.at, t.err, t.detail = m.At, m.Err, m.Detail
	if m.Err != "" {
		t.rated = false
		return
	}
	t.seen, t.snap = true, m.Snap
	s := m.Snap
	rate, errPct, base, ok := t.roll.add(reading{at: m.At, calls: s.Requests + s.Rejected,
		errs: s.Failures + s.Rejected, latency: s.Latency.Buckets})
	t.rate, t.errPct, t.rated = rate, errPct, ok
	t.windowed = false
	if ok {
		t.lat, t.latN, t.windowed = windowLatency(base.latency, s.Latency.Buckets)
		t.rateLine.add(m.At, rate)
		t.errLine.add(m.At, errPct)
	}
}

func (d *data) serverSample(m ServerMsg, cfg *WatchConfig) {
	t := d.ensure(m.Target, cfg)
	d.advance(m.At)
	s := m.Sample
	t.server = &s
}

func (d *data) transition(m TransitionMsg, cfg *WatchConfig) {
	d.ensure(m.Target, cfg)
	d.advance(m.At)
	d.log = append(d.log, logEntry{target: m.Target, t: m.Transition})
	if len(d.log) > cfg.LogSize {
		d.log = slices.Delete(d.log, 0, len(d.log)-cfg.LogSize)
	}
}

func (d *data) line(m LogMsg, cfg *WatchConfig) {
	if n := len(d.lines); n > 0 && d.lines[n-1].Text == m.Text {
		d.lines[n-1].LogMsg = m
		d.lines[n-1].n++
		return
	}
	d.lines = append(d.lines, logLine{LogMsg: m, n: 1})
	if len(d.lines) > cfg.LogSize {
		d.lines = slices.Delete(d.lines, 0, len(d.lines)-cfg.LogSize)
	}
}

func (d *data) advance(at time.Time) {
	if at.After(d.now) {
		d.now = at
	}
}

// clone copies d deeply enough that later messages do not change it.
func (d *data) clone() *data {
	c := &data{log: slices.Clone(d.log), lines: slices.Clone(d.lines), faults: slices.Clone(d.faults), now: d.now}
	for _, t := range d.targets {
		tc := *t
		tc.roll, tc.rateLine, tc.errLine = t.roll.clone(), t.rateLine.clone(), t.errLine.clone()
		c.targets = append(c.targets, &tc)
	}
	return c
}
