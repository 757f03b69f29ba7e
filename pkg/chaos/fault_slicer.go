package chaos

import (
	"errors"
	"time"
)

func init() { Register("slicer", func() Fault { return &Slicer{} }) }

// Slicer cuts every chunk into pieces of about AverageSize ± SizeVariation
// bytes (1 to 64 MiB, and SizeVariation < AverageSize) sent Delay
// microseconds (0 to a day) apart: clients then see RESP frames split
// anywhere.
type Slicer struct {
	AverageSize   int   `json:"average_size"`
	SizeVariation int   `json:"size_variation"`
	Delay         int64 `json:"delay"`
}

// Validate implements Fault.
func (f *Slicer) Validate() error {
	if f.SizeVariation >= f.AverageSize {
		return errors.New("size_variation must be less than average_size")
	}
	return nil
}

// Pipe implements ByteFault.
func (f *Slicer) Pipe(s *Stream, c Chunk, next func(Chunk) error) error {
	if c.EOF {
		return next(c)
	}
	for data := c.Data; len(data) > 0; {
		n := f.AverageSize
		if f.SizeVariation > 0 {
			n += s.Rand.IntN(2*f.SizeVariation+1) - f.SizeVariation
		}
		n = min(max(n, 1), len(data))
		if err := next(Chunk{Data: data[:n], At: c.At}); err != nil {
			return err
		}
		data = data[n:]
		if len(data) > 0 {
			if err := s.Wait(time.Duration(f.Delay)*time.Microsecond, f); err != nil {
				return err
			}
		}
	}
	return nil
}
