package tui

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

// reading is one sample of a target's cumulative counters.
type reading struct {
	at          time.Time
	calls, errs uint64
	latency     []manager.BucketCount // cumulative histogram, may be nil
}

// rolling turns cumulative counters into a rate and an error share over the
// last window, from the readings it was given (no clock of its own).
type rolling struct {
	window time.Duration
	rs     []reading
}

// add records a reading and returns calls per second and error percent over
// the window ending at it, and the reading the window starts from. ok is
// false until two readings span some time.
func (r *rolling) add(x reading) (rate, errPct float64, base reading, ok bool) {
	at, calls, errs := x.at, x.calls, x.errs
	if n := len(r.rs); n > 0 {
		last := r.rs[n-1]
		switch {
		case calls < last.calls || errs < last.errs || at.Before(last.at):
			r.rs = r.rs[:0] // counters restarted (a service restarted) or time went back
		case at.Equal(last.at):
			r.rs = r.rs[:n-1] // a second reading of the same moment replaces the first
		}
	}
	r.rs = append(r.rs, x)
	cut := 0 // keep the newest reading at or before the window's start as base
	for i, x := range r.rs {
		if !x.at.After(at.Add(-r.window)) {
			cut = i
		}
	}
	r.rs = r.rs[cut:]
	base = r.rs[0]
	dt := at.Sub(base.at).Seconds()
	if dt <= 0 {
		return 0, 0, base, false
	}
	dc, de := calls-base.calls, errs-base.errs
	if dc > 0 {
		errPct = 100 * float64(de) / float64(dc)
	}
	return float64(dc) / dt, errPct, base, true
}

func (r rolling) clone() rolling { r.rs = slices.Clone(r.rs); return r }

// cell is one sparkline cell: the values that fell into one bucket.
type cell struct {
	idx int64
	sum float64
	max float64
	n   int
}

// series keeps one value per time bucket for a sparkline; peak says whether
// a cell shows its highest value (error share: a spike must stay visible)
// or its mean (rate).
type series struct {
	bucket time.Duration
	keep   int
	peak   bool
	cells  []cell
}

func (s *series) add(at time.Time, v float64) {
	idx := at.UnixNano() / int64(s.bucket)
	if n := len(s.cells); n > 0 {
		last := s.cells[n-1].idx
		switch {
		case idx == last:
			c := &s.cells[n-1]
			c.sum, c.max, c.n = c.sum+v, math.Max(c.max, v), c.n+1
			return
		case idx < last:
			s.cells = s.cells[:0]
		default:
			for gap := last + 1; gap < idx && idx-gap < int64(s.keep); gap++ {
				s.cells = append(s.cells, cell{idx: gap})
			}
		}
	}
	s.cells = append(s.cells, cell{idx: idx, sum: v, max: v, n: 1})
	if len(s.cells) > s.keep {
		s.cells = slices.Delete(s.cells, 0, len(s.cells)-s.keep)
	}
}

func (s series) clone() series { s.cells = slices.Clone(s.cells); return s }

func (c cell) value(peak bool) float64 {
	if peak {
		return c.max
	}
	return c.sum / float64(c.n)
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// last returns the newest width cells.
func (s series) last(width int) []cell {
	if width <= 0 {
		return nil
	}
	if len(s.cells) > width {
		return s.cells[len(s.cells)-width:]
	}
	return s.cells
}

// top is the highest value among the newest width cells.
func (s series) top(width int) float64 {
	var top float64
	for _, c := range s.last(width) {
		if c.n > 0 {
			top = math.Max(top, c.value(s.peak))
		}
	}
	return top
}

// spark renders the last width cells, scaled to scale (0: to their own
// highest value); a bucket with no reading is a blank.
func (s series) spark(width int, scale float64) string {
	cells := s.last(width)
	if scale <= 0 {
		scale = s.top(width)
	}
	var b strings.Builder
	for _, c := range cells {
		if c.n == 0 {
			b.WriteByte(' ')
			continue
		}
		level := 0
		if scale > 0 {
			level = int(math.Round(c.value(s.peak) / scale * float64(len(sparks)-1)))
		}
		b.WriteRune(sparks[min(max(level, 0), len(sparks)-1)])
	}
	return b.String()
}
