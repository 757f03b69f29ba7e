package orchestrate

import (
	"encoding/json"
	"slices"
	"time"
)

// Status is a snapshot of the orchestrator, safe to take while Run or Stop
// is in progress.
type Status struct {
	Running  bool          // start-up in progress
	Elapsed  time.Duration // since Run began
	Services []ServiceStatus
}

// ServiceStatus is one service in a Status snapshot. Wait and Own grow while
// the service is waiting or starting.
type ServiceStatus struct {
	Name      string
	State     State
	Critical  bool
	Phase     int // 1-based
	DependsOn []string
	Wait      time.Duration // before its first attempt
	Own       time.Duration // since its first attempt
	Attempts  int
	LastError string
	// BlastRadius lists, for a failed or degraded service, every service
	// that depends on it directly or transitively.
	BlastRadius []string
}

// Status returns a snapshot of every service, in declaration order.
func (o *Orchestrator) Status() Status {
	o.mu.Lock()
	defer o.mu.Unlock()
	st := Status{Running: o.running}
	if o.ran {
		st.Elapsed = o.since()
	}
	for _, n := range o.nodes {
		st.Services = append(st.Services, o.serviceStatus(n, st.Elapsed))
	}
	return st
}

func (o *Orchestrator) serviceStatus(n *node, now time.Duration) ServiceStatus {
	ss := ServiceStatus{
		Name: n.svc.Name, State: n.state, Critical: n.svc.Critical,
		Phase: o.g.phase[n.idx] + 1, DependsOn: o.g.names(o.g.deps[n.idx]),
		Attempts: n.attempts,
	}
	switch n.state {
	case StatePending, StateWaiting:
		ss.Wait = now
	case StateStarting, StateRetrying:
		ss.Wait, ss.Own = n.beginAt, now-n.beginAt
	default:
		if n.attempts > 0 {
			ss.Wait, ss.Own = n.beginAt, n.endAt-n.beginAt
		}
	}
	if n.err != nil {
		ss.LastError = n.err.Error()
	}
	if n.state == StateFailed || n.state == StateDegraded {
		ss.BlastRadius = slices.Clone(n.blast)
	}
	return ss
}

type jsonStatus struct {
	Running   bool                `json:"running"`
	ElapsedMS float64             `json:"elapsed_ms"`
	Services  []jsonServiceStatus `json:"services"`
}

type jsonServiceStatus struct {
	Name        string   `json:"name"`
	State       State    `json:"state"`
	Critical    bool     `json:"critical"`
	Phase       int      `json:"phase"`
	DependsOn   []string `json:"depends_on"`
	WaitMS      float64  `json:"wait_ms"`
	OwnMS       float64  `json:"own_ms"`
	Attempts    int      `json:"attempts"`
	LastError   string   `json:"last_error,omitempty"`
	BlastRadius []string `json:"blast_radius,omitempty"`
}

// MarshalJSON writes the snapshot with durations in milliseconds, in the
// style of Report's timeline.
func (s Status) MarshalJSON() ([]byte, error) {
	out := jsonStatus{Running: s.Running, ElapsedMS: millis(s.Elapsed), Services: []jsonServiceStatus{}}
	for _, ss := range s.Services {
		out.Services = append(out.Services, jsonServiceStatus{
			Name: ss.Name, State: ss.State, Critical: ss.Critical, Phase: ss.Phase,
			DependsOn: ss.DependsOn, WaitMS: millis(ss.Wait), OwnMS: millis(ss.Own),
			Attempts: ss.Attempts, LastError: ss.LastError, BlastRadius: ss.BlastRadius,
		})
	}
	return json.Marshal(out)
}
