package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

// watchSummaryEvent is one target's summary line, as NDJSON.
type watchSummaryEvent struct {
	Type        string             `json:"type"`
	Time        time.Time          `json:"time"`
	Target      string             `json:"target"`
	Kind        string             `json:"kind,omitempty"`   // standalone, sentinel or cluster (Redis target mode)
	Master      string             `json:"master,omitempty"` // Sentinel: where the connections go now
	Nodes       []watchNode        `json:"nodes,omitempty"`  // Cluster: each node's own breaker
	State       string             `json:"state"`
	StateSince  time.Time          `json:"state_since,omitzero"`
	StateReason string             `json:"state_reason,omitempty"` // why: the rule, or an operator's reason
	NextProbe   time.Time          `json:"next_probe,omitzero"`
	Trips       uint64             `json:"trips"`
	Recoveries  uint64             `json:"recoveries"`
	Requests    uint64             `json:"requests"`
	Failures    uint64             `json:"failures"`
	Rejected    uint64             `json:"rejected"`
	RatePerS    *float64           `json:"rate_per_s,omitempty"` // over the interval since the last summary
	ErrorPct    *float64           `json:"error_pct,omitempty"`
	LatencyMS   map[string]float64 `json:"latency_ms"`
	Pool        manager.PoolStats  `json:"pool"`
	Retries     uint64             `json:"retries"`
	RetryTokens float64            `json:"retry_tokens"`
	Fallbacks   uint64             `json:"fallbacks"`
	LastError   string             `json:"last_error,omitempty"`
	Detail      string             `json:"detail,omitempty"`
	// Error says the target could not be read (services mode).
	Error string `json:"error,omitempty"`
}

// watchNode is one Cluster node's breaker in a summary.
type watchNode struct {
	Addr  string `json:"addr"`
	Role  string `json:"role"`
	State string `json:"state"`
}

func newWatchSummary(prev, cur tui.SampleMsg, hasPrev bool) watchSummaryEvent {
	s := cur.Snap
	ev := watchSummaryEvent{Type: "summary", Time: cur.At, Target: cur.Target, State: watchState(cur),
		Detail: cur.Detail, Error: cur.Err}
	if cur.Err != "" {
		return ev
	}
	ev.Kind, ev.Master = s.Kind.String(), s.Master
	for _, n := range s.Nodes {
		ev.Nodes = append(ev.Nodes, watchNode{Addr: n.Addr, Role: n.Role, State: n.State.String()})
	}
	ev.StateSince, ev.NextProbe, ev.Trips, ev.Recoveries = s.StateSince, s.NextProbe, s.Trips, s.Recoveries
	ev.StateReason = s.StateReason
	ev.Requests, ev.Failures, ev.Rejected = s.Requests, s.Failures, s.Rejected
	ev.Pool, ev.Retries, ev.RetryTokens, ev.Fallbacks, ev.LastError = s.Pool, s.Retries, s.RetryTokens, s.Fallbacks, s.LastError
	ev.LatencyMS = map[string]float64{"p50": watchMillis(s.Latency.P50), "p90": watchMillis(s.Latency.P90), "p99": watchMillis(s.Latency.P99)}
	p := prev.Snap
	calls, pcalls := s.Requests+s.Rejected, p.Requests+p.Rejected
	errs, perrs := s.Failures+s.Rejected, p.Failures+p.Rejected
	if dt := cur.At.Sub(prev.At).Seconds(); hasPrev && prev.Err == "" && dt > 0 && calls >= pcalls && errs >= perrs {
		rate, pct := float64(calls-pcalls)/dt, 0.0
		if calls > pcalls {
			pct = 100 * float64(errs-perrs) / float64(calls-pcalls)
		}
		ev.RatePerS, ev.ErrorPct = &rate, &pct
	}
	return ev
}

// text is the plain summary line: key=value pairs that grep and awk read.
func (ev watchSummaryEvent) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s state=%s", watchTS(ev.Time), ev.Target, ev.State)
	if ev.Error != "" {
		fmt.Fprintf(&b, " error=%q", watchOneLine(ev.Error))
		return b.String()
	}
	fmt.Fprintf(&b, " for=%s trips=%d", ev.Time.Sub(ev.StateSince).Round(time.Second), ev.Trips)
	if ev.State == manager.ForcedOpen.String() || ev.State == manager.Disabled.String() {
		fmt.Fprintf(&b, " reason=%q", watchOneLine(ev.StateReason)) // an operator holds it: say why
	}
	if ev.Master != "" {
		fmt.Fprintf(&b, " master=%s", ev.Master)
	}
	if len(ev.Nodes) > 0 {
		nodes := make([]string, len(ev.Nodes))
		for i, n := range ev.Nodes {
			nodes[i] = n.Addr + " " + n.Role + " " + n.State
		}
		fmt.Fprintf(&b, " nodes=%q", strings.Join(nodes, ", "))
	}
	if !ev.NextProbe.IsZero() {
		fmt.Fprintf(&b, " next_probe=%s", watchTS(ev.NextProbe))
	}
	if ev.RatePerS != nil {
		fmt.Fprintf(&b, " rate=%.1f/s errors=%.1f%%", *ev.RatePerS, *ev.ErrorPct)
	}
	fmt.Fprintf(&b, " p50=%.2fms p90=%.2fms p99=%.2fms", ev.LatencyMS["p50"], ev.LatencyMS["p90"], ev.LatencyMS["p99"])
	fmt.Fprintf(&b, " pool=%d/%d/%d retries=%d fallbacks=%d", ev.Pool.Total, ev.Pool.Idle, ev.Pool.InUse, ev.Retries, ev.Fallbacks)
	if ev.LastError != "" && ev.State != "CLOSED" {
		fmt.Fprintf(&b, " last_error=%q", watchOneLine(ev.LastError))
	}
	if ev.Detail != "" {
		fmt.Fprintf(&b, " detail=%q", ev.Detail)
	}
	return b.String()
}

func watchMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
