package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// WatchConfig sets up a Watch model. Zero values mean defaults.
type WatchConfig struct {
	// Title heads the screen; Source says what is watched (credentials
	// redacted), e.g. "redis://127.0.0.1:6379 · probe 5/s".
	Title, Source string
	// Targets are shown in this order before their first sample arrives.
	Targets []string
	// Events feeds the model; it is read one message at a time. Nil: the
	// caller uses Program.Send (or Update directly, in tests).
	Events <-chan tea.Msg
	// Logs feeds LogMsg lines, read one at a time like Events. It is apart
	// from Events because its producer (a library's global logger) may
	// outlive the source: close it once nothing writes to it any more.
	Logs   <-chan LogMsg
	Faults FaultController
	// Breakers, when set, lets o force the drill-down target's breaker
	// open (or reset it), after a confirmation.
	Breakers BreakerController
	Styles   *Styles
	Keys     *KeyMap
	// Window is the rolling window of rate and error share (default 10s);
	// Bucket the time one sparkline cell covers (default 5s); History how
	// many cells are kept (default 120); LogSize how many transitions
	// and, apart from them, how many log lines are kept (default 200).
	Window  time.Duration
	Bucket  time.Duration
	History int
	LogSize int
	// StaleAfter: when no sample or transition arrived for this long, the
	// header says STALE, so that a stuck feed never passes for a calm one
	// (default 5s; negative: never). Now tells the time (default time.Now).
	StaleAfter time.Duration
	Now        func() time.Time
}

func (c *WatchConfig) defaults() {
	if c.Title == "" {
		c.Title = "rescli watch"
	}
	if c.Styles == nil {
		s := NewStyles(nil)
		c.Styles = &s
	}
	if c.Keys == nil {
		k := DefaultKeyMap()
		c.Keys = &k
	}
	if c.Window <= 0 {
		c.Window = 10 * time.Second
	}
	if c.Bucket <= 0 {
		c.Bucket = 5 * time.Second
	}
	if c.History <= 0 {
		c.History = 120
	}
	if c.LogSize <= 0 {
		c.LogSize = 200
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}
