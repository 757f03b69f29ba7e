package manager

import (
	"errors"
	"time"
)

// ErrCircuitOpen is returned, without touching the network, while the
// breaker is open (or half-open with every probe slot taken).
var ErrCircuitOpen = errors.New("redis circuit breaker is open")

// ErrMaxClients is returned when Redis refused a new connection because it
// reached maxclients ("ERR max number of clients reached" sent at accept).
var ErrMaxClients = errors.New("rejected: maxclients (ERR max number of clients reached)")

// State is the breaker state.
type State int32

// Breaker states.
const (
	Closed State = iota
	Open
	HalfOpen
)

var stateNames = [...]string{"CLOSED", "OPEN", "HALF_OPEN"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "UNKNOWN"
	}
	return stateNames[s]
}

// MarshalText writes the state as CLOSED, OPEN or HALF_OPEN.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Transition is one breaker state change, as delivered to subscribers.
type Transition struct {
	// Node is the Cluster node (host:port) whose breaker moved; empty for
	// the manager's own breaker (standalone and Sentinel targets).
	Node     string
	From, To State
	At       time.Time
	// Reason says why, e.g. "5 consecutive failures" or "probe succeeded".
	Reason string
	// Err is the last failure's message (redacted), if any.
	Err string
	// OpenFor is how long the breaker stays open before probing (To == Open).
	OpenFor time.Duration
}

// Clock tells the time; tests inject a fake one to move the breaker's
// open wait by hand.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
