package chaos

import "time"

func init() { Register("delay", func() Fault { return &Delay{} }) }

// Delay holds the selected requests (e.g. command "GET", key "user:*") for
// Delay milliseconds (0 to a day) before forwarding them. Only that
// connection waits; its later requests queue behind, so replies stay in
// order.
type Delay struct {
	Delay int64 `json:"delay"`
	selector
}

// Validate implements Fault.
func (f *Delay) Validate() error { return nil }

// Request implements RequestFault.
func (f *Delay) Request(r *Request) (Action, bool) {
	if !f.matches(r) {
		return Action{}, false
	}
	return Action{Delay: time.Duration(f.Delay) * time.Millisecond}, true
}
