package chaos

import "time"

func init() { Register("maxclients", func() Fault { return &MaxClients{} }) }

// maxClientsReply is exactly what Redis writes to a connection over its
// maxclients limit before closing it.
var maxClientsReply = []byte("-ERR max number of clients reached\r\n")

// MaxClients lets at most Limit client connections (0 to 1,000,000) be
// open; the next one
// gets Redis's "-ERR max number of clients reached" and is closed, as a
// full Redis does. Toxicity is the chance a connection over the limit is
// turned away.
type MaxClients struct {
	Limit int64 `json:"limit"`
}

// Validate implements Fault.
func (f *MaxClients) Validate() error { return nil }

// Admit implements AcceptFault.
func (f *MaxClients) Admit(clients int64) []byte {
	if clients < f.Limit {
		return nil
	}
	return maxClientsReply
}

// AcceptDelay implements AcceptFault.
func (*MaxClients) AcceptDelay() time.Duration { return 0 }
