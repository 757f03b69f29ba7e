package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the watch screen answers to, with its help text.
type KeyMap struct {
	Help    key.Binding
	Pause   key.Binding
	Filter  key.Binding
	Faults  key.Binding
	Quit    key.Binding
	Up      key.Binding
	Down    key.Binding
	Select  key.Binding
	Confirm key.Binding
	Cancel  key.Binding
}

// DefaultKeyMap is the watch screen's keymap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Faults:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "faults")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Select:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),
		Confirm: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Cancel:  key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc", "cancel")),
	}
}

// helpKeys adapts the keymap to bubbles/help for the screen's mode.
type helpKeys struct {
	km     KeyMap
	faults bool // the f key is offered
	mode   mode
}

func (h helpKeys) ShortHelp() []key.Binding {
	switch h.mode {
	case modeMenu:
		return []key.Binding{h.km.Up, h.km.Down, h.km.Select, h.km.Cancel}
	case modeConfirm:
		return []key.Binding{h.km.Confirm, h.km.Cancel}
	case modeFilter:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	b := []key.Binding{h.km.Help, h.km.Pause, h.km.Filter}
	if h.faults {
		b = append(b, h.km.Faults)
	}
	return append(b, h.km.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	if h.mode != modeNormal {
		return [][]key.Binding{h.ShortHelp()}
	}
	long := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	first := []key.Binding{
		long(h.km.Help, "close help"),
		long(h.km.Pause, "freeze screen, keep collecting"),
		long(h.km.Filter, "filter by text"),
	}
	second := []key.Binding{long(h.km.Quit, "quit, removing every fault")}
	if h.faults {
		second = append([]key.Binding{long(h.km.Faults, "inject/clear a fault")}, second...)
	}
	return [][]key.Binding{first, second}
}
