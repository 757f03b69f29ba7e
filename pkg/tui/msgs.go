package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/redisstat"
)

// SampleMsg is one reading of one target: its breaker and metrics at At.
type SampleMsg struct {
	Target string
	At     time.Time
	Snap   manager.Snapshot
	// Err says the reading failed (e.g. the service did not answer); the
	// target is then shown as UNKNOWN, never with stale numbers as if fresh.
	Err string
	// Detail is one more line for the target's tile (e.g. "services 3 pass").
	Detail string
}

// ServerMsg is what Redis itself said about one target's nodes: the
// drill-down's server panel and the overview's server columns.
type ServerMsg struct {
	Target string
	redisstat.Sample
}

// TransitionMsg is one breaker transition of one target.
type TransitionMsg struct {
	Target string
	manager.Transition
}

// LogMsg is one diagnostic log line, e.g. a library's internal log with
// -v. The screen keeps the newest in a log pane below the transitions, so
// that whoever produces them never writes to the terminal the screen owns.
// Text is shown as given: redact it first.
type LogMsg struct {
	At   time.Time
	Text string
}

// FaultsMsg reports the faults in force, after a change or periodically.
type FaultsMsg struct {
	Active []ActiveFault
	// Note says what just changed ("blackhole injected"); Err why a change
	// failed.
	Note string
	Err  error
}

// ActiveFault is one fault in force.
type ActiveFault struct {
	Name     string // as in the menu, e.g. "blackhole"
	Detail   string // e.g. "timeout, both streams"
	Injected int64  // connections or requests it acted on
}

// FaultOption is one entry of the fault menu.
type FaultOption struct {
	ID    string // passed to Apply; "clear" removes every fault
	Label string
	Help  string
}

// FaultController injects and removes faults for the f menu. Its methods are
// called from tea.Cmds, off the UI loop, so they may block briefly.
type FaultController interface {
	Options() []FaultOption
	// Apply injects the fault with this ID (or clears all for ClearID) and
	// returns the faults in force afterwards.
	Apply(id string) ([]ActiveFault, error)
}

// ClearID is the fault menu entry that removes every fault.
const ClearID = "clear"

// eventMsg wraps a message read from WatchConfig.Events, so that only those
// re-arm the reader.
type eventMsg struct{ msg tea.Msg }

type eventsClosedMsg struct{}

func listen(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return eventMsg{msg}
	}
}

// logFeedMsg wraps a line read from WatchConfig.Logs, so that only those
// re-arm its reader.
type logFeedMsg struct{ LogMsg }

func listenLogs(ch <-chan LogMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return logFeedMsg{msg}
	}
}
