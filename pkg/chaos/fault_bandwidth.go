package chaos

import "time"

func init() { Register("bandwidth", func() Fault { return &Bandwidth{} }) }

// Bandwidth limits a direction to Rate KB/s per connection (1 to 2^30),
// sending in pieces of at most 100 ms worth.
type Bandwidth struct {
	Rate int64 `json:"rate"`
}

// Validate implements Fault: the range is all there is to check.
func (b *Bandwidth) Validate() error { return nil }

type bandwidthState struct{ next time.Time }

// Pipe implements ByteFault.
func (b *Bandwidth) Pipe(s *Stream, c Chunk, next func(Chunk) error) error {
	if c.EOF {
		return next(c)
	}
	st := s.State(b, func() any { return &bandwidthState{} }).(*bandwidthState)
	bytesPerSec := b.Rate * 1024
	piece := int(max(1, bytesPerSec/10))
	for data := c.Data; len(data) > 0; {
		n := min(piece, len(data))
		if now := s.Now(); st.next.Before(now) {
			st.next = now
		}
		st.next = st.next.Add(time.Duration(int64(n) * int64(time.Second) / bytesPerSec))
		if err := next(Chunk{Data: data[:n], At: c.At}); err != nil {
			return err
		}
		if err := s.WaitUntil(st.next, b); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
