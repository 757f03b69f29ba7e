package health

import (
	"time"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/target"
)

// Document is one health response (IETF draft fields first, then rescli's
// extensions, which readers that do not know them ignore).
type Document struct {
	Status      Status             `json:"status"`
	Version     string             `json:"version,omitempty"`
	ServiceID   string             `json:"serviceId,omitempty"`
	Description string             `json:"description,omitempty"`
	Output      string             `json:"output,omitempty"`
	Checks      map[string][]Check `json:"checks,omitempty"`

	// CircuitBreakerState is the seed's field on /health/redis: "closed",
	// "open" or "half_open", or an operator's "forced_open" or "disabled".
	CircuitBreakerState string `json:"circuit_breaker_state,omitempty"`
	// Redis is the manager's view of Redis (/health/redis, /health/detailed).
	Redis *RedisInfo `json:"redis,omitempty"`
	// Transitions are the recent status and breaker changes, newest last
	// (/health/detailed).
	Transitions []TransitionRecord `json:"transitions,omitempty"`
}

// Check is one measurement of one component.
type Check struct {
	ComponentID   string    `json:"componentId,omitempty"`
	ComponentType string    `json:"componentType,omitempty"`
	ObservedValue any       `json:"observedValue,omitempty"`
	ObservedUnit  string    `json:"observedUnit,omitempty"`
	Status        Status    `json:"status"`
	Time          time.Time `json:"time,omitzero"`
	// Output says what is wrong; set on warn and fail only.
	Output string `json:"output,omitempty"`
	// *ServiceInfo is set on service:<name> checks; its fields are inlined.
	*ServiceInfo
}

// ServiceInfo describes one orchestrated service (checks service:<name>).
type ServiceInfo struct {
	Critical  bool     `json:"critical"`
	Phase     int      `json:"phase"`
	DependsOn []string `json:"dependsOn,omitempty"`
	// WaitMS is how long it waited for its dependencies and a slot; StartMS
	// how long its own start took.
	WaitMS   float64 `json:"waitMs"`
	StartMS  float64 `json:"startMs"`
	Attempts int     `json:"attempts"`
	// LastError is the latest start or health error (redacted).
	LastError string `json:"lastError,omitempty"`
	// BlastRadius lists, for a failed or degraded service, every service
	// that depends on it directly or transitively.
	BlastRadius []string `json:"blastRadius,omitempty"`
}

// RedisInfo is the manager's state and the poller's server facts.
type RedisInfo struct {
	Name   string      `json:"name"`
	Target string      `json:"target"` // credentials redacted
	Kind   target.Kind `json:"kind"`   // standalone, sentinel or cluster
	// Master is where a Sentinel target's connections go now.
	Master string `json:"master,omitempty"`

	// State is CLOSED, OPEN or HALF_OPEN, or an operator's FORCED_OPEN or
	// DISABLED.
	State      string    `json:"state"`
	StateSince time.Time `json:"stateSince"`
	// StateReason says why: the rule that opened it, or the operator's
	// reason.
	StateReason string `json:"stateReason,omitempty"`
	// InStateSeconds is how long the breaker has been in State.
	InStateSeconds float64   `json:"inStateSeconds"`
	NextProbe      time.Time `json:"nextProbe,omitzero"`
	Trips          uint64    `json:"trips"`
	Recoveries     uint64    `json:"recoveries"`

	Requests  uint64 `json:"requests"`
	Failures  uint64 `json:"failures"`
	Rejected  uint64 `json:"rejected"`
	Fallbacks uint64 `json:"fallbacks"`
	// SlowCalls counts calls slower than the breaker's SlowCallDuration.
	SlowCalls uint64 `json:"slowCalls"`

	PingAt      time.Time `json:"pingAt,omitzero"`
	PingMS      float64   `json:"pingMs"`
	PingError   string    `json:"pingError,omitempty"`
	LatencyP50  float64   `json:"latencyP50Ms"`
	LatencyP90  float64   `json:"latencyP90Ms"`
	LatencyP99  float64   `json:"latencyP99Ms"`
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`

	Pool   manager.PoolStats `json:"pool"`
	Server *ServerFacts      `json:"server,omitempty"`
}

// TransitionRecord is one remembered change: of the overall status
// (Component "health") or of the circuit breaker (Component "redis").
type TransitionRecord struct {
	At        time.Time `json:"at"`
	Component string    `json:"component"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Reason    string    `json:"reason,omitempty"`
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
