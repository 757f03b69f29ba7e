package health

import (
	"errors"
	"time"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// serviceInput is what the service rules judge: the orchestrator's status
// now and the poller's last health results, by service name.
type serviceInput struct {
	status  orchestrate.Status
	results map[string]orchestrate.HealthResult
	at      time.Time // when results were taken
	now     time.Time
}

// serviceChecks applies the package doc's service rules, one check per
// service keyed service:<name>.
func serviceChecks(in serviceInput) map[string][]Check {
	out := make(map[string][]Check, len(in.status.Services))
	at := in.at
	if at.IsZero() {
		at = in.now
	}
	for _, ss := range in.status.Services {
		r := in.results[ss.Name]
		st, output := serviceStatus(ss, r)
		info := &ServiceInfo{
			Critical: ss.Critical, Phase: ss.Phase, DependsOn: ss.DependsOn,
			WaitMS: millis(ss.Wait), StartMS: millis(ss.Own), Attempts: ss.Attempts,
			LastError: redact.String(ss.LastError), BlastRadius: ss.BlastRadius,
		}
		if r.Err != nil && info.LastError == "" && !errors.Is(r.Err, orchestrate.ErrNotStarted) {
			info.LastError = redact.String(r.Err.Error())
		}
		ch := Check{ComponentID: ss.Name, ComponentType: "component", ObservedValue: string(ss.State),
			Status: st, Time: at, ServiceInfo: info}
		if st != Pass {
			ch.Output = redact.String(output)
		}
		out["service:"+ss.Name] = []Check{ch}
	}
	return out
}

// serviceStatus judges one service: its lifecycle state first, then the
// result of its last health check.
func serviceStatus(ss orchestrate.ServiceStatus, r orchestrate.HealthResult) (Status, string) {
	bad := Warn
	if ss.Critical {
		bad = Fail
	}
	switch ss.State {
	case orchestrate.StateStarted:
	case orchestrate.StateFailed, orchestrate.StateDegraded:
		return bad, string(ss.State) + withError(ss.LastError)
	case orchestrate.StateSkipped:
		return bad, "skipped: a dependency failed"
	case orchestrate.StateStopping, orchestrate.StateStopped:
		return Fail, string(ss.State)
	default:
		return Warn, "starting (" + string(ss.State) + ")"
	}
	if r.Err != nil && !errors.Is(r.Err, orchestrate.ErrNotStarted) {
		return bad, "unhealthy: " + r.Err.Error()
	}
	return Pass, ""
}

func withError(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// lifecycleStatus is the whole process's verdict from the orchestrator:
// fail while start-up runs and once shutdown has begun.
func lifecycleStatus(st orchestrate.Status) (Status, string) {
	if st.Running {
		return Fail, "starting up"
	}
	if st.Elapsed == 0 && len(st.Services) > 0 {
		return Fail, "not started"
	}
	for _, ss := range st.Services {
		if ss.State == orchestrate.StateStopping || ss.State == orchestrate.StateStopped {
			return Fail, "shutting down"
		}
	}
	return Pass, ""
}
