package chaos

import "time"

func init() { Register("slow_close", func() Fault { return &SlowClose{} }) }

// SlowClose holds the end of a stream (the FIN) for Delay milliseconds (0
// to a day).
type SlowClose struct {
	Delay int64 `json:"delay"`
}

// Validate implements Fault.
func (f *SlowClose) Validate() error { return nil }

// Pipe implements ByteFault.
func (f *SlowClose) Pipe(s *Stream, c Chunk, next func(Chunk) error) error {
	if c.EOF {
		if err := s.Wait(time.Duration(f.Delay)*time.Millisecond, f); err != nil {
			return err
		}
	}
	return next(c)
}
