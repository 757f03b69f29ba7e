package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// mode is what the keyboard is doing now.
type mode int

const (
	modeNormal  mode = iota
	modeFilter       // typing a filter
	modeMenu         // choosing a fault
	modeConfirm      // confirming the chosen fault
)

// Watch is the watch dashboard: one screen, fed by messages.
type Watch struct {
	cfg    WatchConfig
	live   *data
	frozen *data // the screen while paused; nil when live
	width  int
	height int
	mode   mode
	filter string
	menu   int
	help   help.Model
	note   string
	bad    bool // note is an error
	// wall is the time of the last tick, lastData when the last sample or
	// transition arrived (both from WatchConfig.Now).
	wall, lastData time.Time
}

// NewWatch builds the dashboard.
func NewWatch(cfg WatchConfig) Watch {
	cfg.defaults()
	w := Watch{cfg: cfg, live: &data{}, width: 80, height: 24, help: help.New()}
	w.help.Styles = cfg.Styles.help
	w.help.Width = w.width
	for _, name := range cfg.Targets {
		w.live.ensure(name, &w.cfg)
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
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && w.mode != modeFilter {
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
	case TransitionMsg:
		w.live.transition(msg, &w.cfg)
		w.lastData = w.cfg.Now()
	case LogMsg: // not data: a stuck feed with a chatty logger is still STALE
		w.live.line(msg, &w.cfg)
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

func (w Watch) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	km := w.cfg.Keys
	if msg.Type == tea.KeyCtrlC {
		return w, tea.Quit
	}
	switch w.mode {
	case modeFilter:
		return w.filterKey(msg), nil
	case modeMenu:
		return w.menuKey(msg), nil
	case modeConfirm:
		return w.confirmKey(msg)
	}
	switch {
	case key.Matches(msg, km.Quit):
		return w, tea.Quit
	case key.Matches(msg, km.Help):
		w.help.ShowAll = !w.help.ShowAll
	case key.Matches(msg, km.Pause):
		if w.frozen == nil {
			w.frozen = w.live.clone()
		} else {
			w.frozen = nil
		}
	case key.Matches(msg, km.Filter):
		w.mode = modeFilter
	case key.Matches(msg, km.Faults) && w.cfg.Faults != nil:
		w.mode, w.menu = modeMenu, 0
	}
	return w, nil
}

func (w Watch) filterKey(msg tea.KeyMsg) Watch {
	switch msg.Type {
	case tea.KeyEsc:
		w.filter, w.mode = "", modeNormal
	case tea.KeyEnter:
		w.mode = modeNormal
	case tea.KeyBackspace:
		if r := []rune(w.filter); len(r) > 0 {
			w.filter = string(r[:len(r)-1])
		}
	case tea.KeyRunes, tea.KeySpace:
		w.filter += string(msg.Runes)
	}
	return w
}

func (w Watch) menuKey(msg tea.KeyMsg) Watch {
	km, n := w.cfg.Keys, len(w.cfg.Faults.Options())
	switch {
	case key.Matches(msg, km.Up):
		w.menu = (w.menu + n - 1) % n
	case key.Matches(msg, km.Down):
		w.menu = (w.menu + 1) % n
	case key.Matches(msg, km.Select):
		w.mode = modeConfirm
	case key.Matches(msg, km.Cancel), key.Matches(msg, km.Quit), key.Matches(msg, km.Faults):
		w.mode = modeNormal
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && int(msg.Runes[0]-'1') < n:
		w.menu, w.mode = int(msg.Runes[0]-'1'), modeConfirm
	}
	return w
}

func (w Watch) confirmKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	km := w.cfg.Keys
	switch {
	case key.Matches(msg, km.Confirm), key.Matches(msg, km.Select):
		opt := w.cfg.Faults.Options()[w.menu]
		w.mode, w.note, w.bad = modeNormal, "applying: "+opt.Label+"…", false
		return w, applyFault(w.cfg.Faults, opt)
	case key.Matches(msg, km.Cancel), key.Matches(msg, km.Quit):
		w.mode = modeMenu
	}
	return w, nil
}

func applyFault(c FaultController, opt FaultOption) tea.Cmd {
	return func() tea.Msg {
		active, err := c.Apply(opt.ID)
		if err != nil {
			return FaultsMsg{Active: active, Err: fmt.Errorf("%s: %w", opt.Label, err)}
		}
		note := opt.Label + " injected"
		if opt.ID == ClearID {
			note = "every fault removed"
		}
		return FaultsMsg{Active: active, Note: note}
	}
}
