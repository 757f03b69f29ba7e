// Package tui holds rescli's bubbletea screens. Watch is the on-call
// dashboard of circuit breakers, in two screens. The overview lists every
// target — a Redis target rescli probes, or a running service's health
// endpoints — with its breaker state in colour and in words, rate, error
// share, p99 and, for a Redis target, the server's own figures (clients,
// rejected connections per second, ops/s, memory); / filters, enter
// drills in. The drill-down is one target: its state big with time in
// state, trips and next probe; rolling rate and error share with
// sparklines; latency percentiles, pool, retries and fallbacks; the server
// panel (what Redis says: INFO figures per node, latency spikes, slowest
// commands, the Sentinel master and when it changed, a Cluster row per
// node with its own breaker); its transition log; and, when a
// FaultController is given, a fault menu with confirmation. Esc comes
// back. Log lines (e.g. a library's log with -v) go to a pane of their
// own, never over the screen. The model never polls anything itself: its
// caller feeds it SampleMsg, ServerMsg, TransitionMsg, FaultsMsg and
// LogMsg (through WatchConfig.Events and Logs, or Program.Send), and tests
// drive it message by message.
package tui
