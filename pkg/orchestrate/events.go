package orchestrate

import "time"

// Event reports that a service entered a state. Err is the service's latest
// start error (for retrying, degraded, failed and skipped) or, for stopped,
// its stop error.
type Event struct {
	Service string
	State   State
	At      time.Duration // since the run began
	Attempt int           // for starting and retrying
	Err     error
}

// set moves n to state under the lock, lets update adjust other fields, and
// then emits the event.
func (o *Orchestrator) set(n *node, state State, update func(at time.Duration)) {
	o.mu.Lock()
	at := o.since()
	n.state = state
	if update != nil {
		update(at)
	}
	ev := Event{Service: n.svc.Name, State: state, At: at, Attempt: n.attempts, Err: n.err}
	if state == StateStopped {
		ev.Err = n.stopErr
	}
	o.mu.Unlock()
	o.emit(ev)
}

func (o *Orchestrator) emit(ev Event) {
	if o.opts.OnEvent == nil {
		return
	}
	o.emitMu.Lock()
	defer o.emitMu.Unlock()
	o.opts.OnEvent(ev)
}
