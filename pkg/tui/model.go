package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// mode is what the keyboard is doing now on a screen.
type mode int

const (
	modeNormal  mode = iota
	modeFilter       // typing a filter
	modeMenu         // choosing a fault
	modeConfirm      // confirming the chosen fault
	modeBreaker      // confirming a forced open or a reset of the breaker
)

// Watch is the watch dashboard. It keeps what every message tells and
// shows one of two screens, each its own model: the overview, a row per
// target, and the drill-down into one target (its breaker, the server
// panel, its transitions, the fault menu). Enter drills in, esc comes back.
// With a single target it opens on that target's drill-down.
type Watch struct {
	cfg    WatchConfig
	live   *data
	frozen *data // the screen while paused; nil when live
	width  int
	height int
	help   help.Model
	note   string
	bad    bool // note is an error
	// wall is the time of the last tick, lastData when the last sample or
	// transition arrived (both from WatchConfig.Now).
	wall, lastData time.Time

	drilled bool // the drill-down is shown, else the overview
	ov      overview
	dt      drillDown
}

// NewWatch builds the dashboard.
func NewWatch(cfg WatchConfig) Watch {
	cfg.defaults()
	if cfg.Breakers != nil {
		cfg.Keys.ForceOpen.SetEnabled(true)
	}
	w := Watch{cfg: cfg, live: &data{}, width: 80, height: 24, help: help.New()}
	w.help.Styles = cfg.Styles.help
	w.help.Width = w.width
	for _, name := range cfg.Targets {
		w.live.ensure(name, &w.cfg)
	}
	if len(cfg.Targets) == 1 {
		w.drilled, w.dt = true, drillDown{target: cfg.Targets[0]}
	}
	return w
}

// Init starts reading WatchConfig.Events and Logs.
func (w Watch) Init() tea.Cmd {
	var cmds []tea.Cmd
	if w.cfg.Events != nil {
		cmds = append(cmds, listen(w.cfg.Events))
	}
	if w.cfg.Logs != nil {
		cmds = append(cmds, listenLogs(w.cfg.Logs))
	}
	if w.cfg.StaleAfter > 0 {
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

// Update applies one message.
func (w Watch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case eventMsg:
		w.apply(msg.msg)
		return w, listen(w.cfg.Events)
	case logFeedMsg:
		w.apply(msg.LogMsg)
		return w, listenLogs(w.cfg.Logs)
	case eventsClosedMsg:
		return w, nil
	case tickMsg:
		w.wall = w.cfg.Now()
		return w, tick()
	case tea.WindowSizeMsg:
		w.width, w.height = msg.Width, msg.Height
		w.help.Width = max(msg.Width, minWidth) // as View lays out
		return w, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && w.screenMode() != modeFilter {
			return w.keys(msg.Runes) // keys typed fast arrive as one message
		}
		return w.key(msg)
	}
	w.apply(msg)
	return w, nil
}

func (w *Watch) apply(msg tea.Msg) {
	switch msg := msg.(type) {
	case SampleMsg:
		w.live.sample(msg, &w.cfg)
		w.lastData = w.cfg.Now()
	case ServerMsg:
		w.live.serverSample(msg, &w.cfg)
		w.lastData = w.cfg.Now()
	case TransitionMsg:
		w.live.transition(msg, &w.cfg)
		w.lastData = w.cfg.Now()
	case LogMsg: // not data: a stuck feed with a chatty logger is still STALE
		w.live.line(msg, &w.cfg)
	case BreakerMsg:
		if msg.Err != nil {
			w.note, w.bad = msg.Err.Error(), true
		} else {
			w.note, w.bad = msg.Note, false
		}
	case FaultsMsg:
		if msg.Err == nil || msg.Active != nil {
			w.live.faults = msg.Active
		}
		switch {
		case msg.Err != nil:
			w.note, w.bad = msg.Err.Error(), true
		case msg.Note != "":
			w.note, w.bad = msg.Note, false
		}
	}
}

// screenMode is the keyboard mode of the screen shown.
func (w Watch) screenMode() mode {
	if w.drilled {
		return w.dt.mode
	}
	if w.ov.typing {
		return modeFilter
	}
	return modeNormal
}

func (w Watch) keys(runes []rune) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	for _, r := range runes {
		m, cmd := w.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		w = m.(Watch)
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	switch len(cmds) {
	case 0:
		return w, nil
	case 1:
		return w, cmds[0]
	}
	return w, tea.Sequence(cmds...)
}

// key handles what every screen shares (quit, help, pause) and hands the
// rest to the screen shown. A screen typing a filter or in its fault menu
// gets every key but Ctrl-C.
func (w Watch) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	km := w.cfg.Keys
	if msg.Type == tea.KeyCtrlC {
		return w, tea.Quit
	}
	if w.screenMode() == modeNormal {
		switch {
		case key.Matches(msg, km.Quit):
			return w, tea.Quit
		case key.Matches(msg, km.Help):
			w.help.ShowAll = !w.help.ShowAll
			return w, nil
		case key.Matches(msg, km.Pause):
			if w.frozen == nil {
				w.frozen = w.live.clone()
			} else {
				w.frozen = nil
			}
			return w, nil
		}
	}
	var out outcome
	if w.drilled {
		if w.cfg.Breakers != nil && (w.dt.mode == modeBreaker || w.dt.mode == modeNormal && key.Matches(msg, km.ForceOpen)) {
			state := ""
			if t := w.shown().find(w.dt.target); t != nil {
				state = t.state()
			}
			w.dt, out = w.dt.breakerKey(msg, km, w.cfg.Breakers, state)
		} else {
			w.dt, out = w.dt.key(msg, km, w.cfg.Faults)
		}
	} else {
		w.ov, out = w.ov.key(msg, km, w.ov.visible(w.shown()))
	}
	switch {
	case out.open != "":
		w.drilled, w.dt = true, drillDown{target: out.open}
	case out.back:
		w.drilled, w.ov.name = false, w.dt.target
	}
	if out.note != "" {
		w.note, w.bad = out.note, false
	}
	return w, out.cmd
}

// outcome is what a screen's key asks of the root.
type outcome struct {
	open string // drill into this target
	back bool   // back to the overview
	cmd  tea.Cmd
	note string
}

// shown is the data the screen shows: frozen while paused.
func (w Watch) shown() *data {
	if w.frozen != nil {
		return w.frozen
	}
	return w.live
}
