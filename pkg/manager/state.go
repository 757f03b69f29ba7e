package manager

import (
	"errors"
	"fmt"
	"time"
)

// ErrCircuitOpen is returned, without touching the network, while the
// breaker is open (or half-open with every probe slot taken).
var ErrCircuitOpen = errors.New("redis circuit breaker is open")

// ErrForcedOpen is returned, without touching the network, while the breaker
// is held open by ForceOpen. It wraps ErrCircuitOpen, so errors.Is(err,
// ErrCircuitOpen) holds and fallbacks run as for any open breaker; test for
// ErrForcedOpen to tell an operator's hold from an outage.
var ErrForcedOpen = fmt.Errorf("%w: forced open by an operator", ErrCircuitOpen)

// ErrMaxClients is returned when Redis refused a new connection because it
// reached maxclients ("ERR max number of clients reached" sent at accept).
var ErrMaxClients = errors.New("rejected: maxclients (ERR max number of clients reached)")

// State is the breaker state.
type State int32

// Breaker states. CLOSED, OPEN and HALF_OPEN are the breaker's own; an
// operator sets FORCED_OPEN (ForceOpen: every call fails fast with
// ErrForcedOpen, and nothing but Reset or Disable ends it) and DISABLED
// (Disable: every call goes through and is measured, the breaker never
// opens).
const (
	Closed State = iota
	Open
	HalfOpen
	ForcedOpen
	Disabled
	numStates
)

var stateNames = [numStates]string{"CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"}

// States lists every state, in order, for exporters that show each one.
func States() []State { return []State{Closed, Open, HalfOpen, ForcedOpen, Disabled} }

// Forced reports whether an operator set the state (FORCED_OPEN or
// DISABLED): only ForceOpen, Disable and Reset leave it.
func (s State) Forced() bool { return s == ForcedOpen || s == Disabled }

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "UNKNOWN"
	}
	return stateNames[s]
}

// MarshalText writes the state's name: CLOSED, OPEN, HALF_OPEN,
// FORCED_OPEN or DISABLED.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Transition is one breaker state change, as delivered to subscribers.
type Transition struct {
	// Node is the Cluster node (host:port) whose breaker moved; empty for
	// the manager's own breaker (standalone and Sentinel targets).
	Node     string
	From, To State
	At       time.Time
	// Reason says why, e.g. "5 consecutive failures", "slow calls 80% ≥
	// 50% over 10s", or the operator's reason for FORCED_OPEN and DISABLED.
	Reason string
	// Err is the failure that opened the breaker (redacted): set only when
	// To is Open, so a log line of a recovery never carries an old error.
	Err string
	// OpenFor is how long the breaker stays open before probing (To == Open).
	OpenFor time.Duration
}

// Clock tells the time; tests inject a fake one to move the breaker's
// open wait by hand.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
