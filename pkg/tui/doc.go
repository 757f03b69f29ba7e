// Package tui holds rescli's bubbletea screens. Watch is the on-call
// dashboard of circuit breakers: one big, coloured and written state per
// target with its time in state, trips and next probe; a transition log with
// timestamps and reasons; rolling request rate and error share with
// sparklines; latency percentiles, pool, retries and fallbacks; and, when a
// FaultController is given, a fault menu with confirmation and the active
// faults; once one arrives, a pane of log lines (e.g. a library's log with
// -v), which then are never written over the screen. The model never polls
// anything itself: its caller feeds it SampleMsg, TransitionMsg, FaultsMsg
// and LogMsg (through WatchConfig.Events and Logs, or Program.Send), so that
// the same screen shows a Redis target probed by rescli or the health
// endpoints of running services, and tests drive it message by message.
package tui
