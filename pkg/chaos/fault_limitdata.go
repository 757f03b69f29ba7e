package chaos

import "errors"

func init() { Register("limit_data", func() Fault { return &LimitData{} }) }

// LimitData closes the connection once Bytes bytes (0 to 1 TiB) went
// through its direction.
type LimitData struct {
	Bytes int64 `json:"bytes"`
}

// Validate implements Fault.
func (f *LimitData) Validate() error { return nil }

type limitState struct{ sent int64 }

// errLimitReached ends a connection that reached its limit_data.
var errLimitReached = errors.New("limit_data reached")

// Pipe implements ByteFault.
func (f *LimitData) Pipe(s *Stream, c Chunk, next func(Chunk) error) error {
	if c.EOF {
		return next(c)
	}
	st := s.State(f, func() any { return &limitState{} }).(*limitState)
	left := f.Bytes - st.sent
	if int64(len(c.Data)) < left {
		st.sent += int64(len(c.Data))
		return next(c)
	}
	if left > 0 {
		st.sent = f.Bytes
		if err := next(Chunk{Data: c.Data[:left], At: c.At}); err != nil {
			return err
		}
	}
	return errLimitReached
}
