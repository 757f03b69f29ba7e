package chaos

import (
	"math/rand/v2"
	"time"
)

func init() { Register("latency", func() Fault { return &Latency{} }) }

// Latency delays every chunk by Latency ± Jitter milliseconds (each 0 to a
// day) from the moment the proxy read it, so delays do not add up along a
// pipeline. Two latency faults (or one with stream "both") add up.
type Latency struct {
	Latency int64 `json:"latency"`
	Jitter  int64 `json:"jitter"`
}

// Validate implements Fault.
func (l *Latency) Validate() error { return nil }

// Pipe implements ByteFault.
func (l *Latency) Pipe(s *Stream, c Chunk, next func(Chunk) error) error {
	c.At = c.At.Add(l.delay(s.Rand))
	if err := s.WaitUntil(c.At, l); err != nil {
		return err
	}
	if late := s.Now().Sub(c.At); late >= -wakeSlop { // not cut short by a change
		s.c.p.stats.late.observe(late)
	}
	return next(c)
}

// delay draws one chunk's delay: Latency ± Jitter. The event loop
// (loop_delay_linux.go) plays latency faults with it too.
func (l *Latency) delay(r *rand.Rand) time.Duration {
	d := time.Duration(l.Latency) * time.Millisecond
	if j := time.Duration(l.Jitter) * time.Millisecond; j > 0 {
		d += time.Duration(r.Int64N(int64(2*j+1))) - j
	}
	return d
}
