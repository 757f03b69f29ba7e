package chaos

import (
	"errors"
	"time"
)

func init() { Register("slicer", func() Fault { return &Slicer{} }) }

// Slicer cuts every chunk into pieces of about AverageSize ± SizeVariation
// bytes sent Delay microseconds apart: clients then see RESP frames split
// anywhere.
type Slicer struct {
	AverageSize   int `json:"average_size"`
	SizeVariation int `json:"size_variation"`
	Delay         int `json:"delay"`
}

// Validate implements Fault.
func (f *Slicer) Validate() error {
	if f.AverageSize <= 0 {
		return errors.New("average_size must be positive")
	}
	if f.SizeVariation < 0 || f.SizeVariation >= f.AverageSize {
		return errors.New("size_variation must be in [0, average_size)")
	}
	if f.Delay < 0 {
		return errNegative("delay")
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
