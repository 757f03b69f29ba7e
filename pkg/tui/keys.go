package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the watch screens answer to, with its help text:
// the one place a key is bound.
type KeyMap struct {
	Help   key.Binding
	Pause  key.Binding
	Filter key.Binding
	Faults key.Binding
	Quit   key.Binding
	Up     key.Binding
	Down   key.Binding
	// Select opens the target under the cursor (overview), picks a menu
	// entry or confirms; Back leaves the drill-down for the overview.
	Select key.Binding
	Back   key.Binding
	// ForceOpen forces the drill-down service's breaker open, or resets a
	// forced one, after a confirmation (watch --service with the admin
	// token). Enabled only when WatchConfig.Breakers is set.
	ForceOpen key.Binding
	Confirm   key.Binding
	Cancel    key.Binding
}

// DefaultKeyMap is the watch screens' keymap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Faults:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "faults")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Select:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "all targets")),
		ForceOpen: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "force open/reset"), key.WithDisabled()),
		Confirm:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Cancel:    key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc", "cancel")),
	}
}

// helpKeys adapts the keymap to bubbles/help for the screen and its mode.
type helpKeys struct {
	km       KeyMap
	faults   bool // the f key is offered
	overview bool // the overview screen, else the drill-down
	mode     mode
}

func (h helpKeys) ShortHelp() []key.Binding {
	rename := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	switch h.mode {
	case modeMenu:
		return []key.Binding{h.km.Up, h.km.Down, h.km.Select, h.km.Cancel}
	case modeConfirm, modeBreaker:
		return []key.Binding{h.km.Confirm, h.km.Cancel}
	case modeFilter:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	if h.overview {
		move := key.NewBinding(key.WithKeys(append(h.km.Up.Keys(), h.km.Down.Keys()...)...), key.WithHelp("↑/↓", "select"))
		return []key.Binding{move, rename(h.km.Select, "open"), h.km.Filter, h.km.Help, h.km.Pause, h.km.Quit}
	}
	b := []key.Binding{h.km.Help, h.km.Pause, h.km.Filter}
	if h.faults {
		b = append(b, h.km.Faults)
	}
	if h.km.ForceOpen.Enabled() {
		b = append(b, h.km.ForceOpen)
	}
	return append(b, h.km.Quit, h.km.Back)
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
	}
	second := []key.Binding{long(h.km.Quit, "quit, removing every fault")}
	if h.overview {
		first = append(first, long(h.km.Filter, "filter targets by text"))
		second = append([]key.Binding{long(h.km.Up, "move up"), long(h.km.Down, "move down"),
			long(h.km.Select, "drill into the target")}, second...)
		return [][]key.Binding{first, second}
	}
	first = append(first, long(h.km.Filter, "filter the log by text"))
	second = append([]key.Binding{long(h.km.Back, "back to every target")}, second...)
	if h.faults {
		second = append([]key.Binding{long(h.km.Faults, "inject/clear a fault")}, second...)
	}
	if h.km.ForceOpen.Enabled() {
		second = append([]key.Binding{long(h.km.ForceOpen, "force the breaker open, or reset it")}, second...)
	}
	return [][]key.Binding{first, second}
}
