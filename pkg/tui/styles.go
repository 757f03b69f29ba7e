package tui

import (
	"io"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every style of the watch screen, built for one renderer so that
// tests can render with an ASCII profile and NO_COLOR is honoured.
type Styles struct {
	Title, Dim, Label, Note, Warn, Bad, Good lipgloss.Style
	Paused                                   lipgloss.Style
	MenuItem, MenuSelected                   lipgloss.Style
	// Big is the state banner; Word the state inline. Both get the state's
	// colour from StateColor: the word itself always says the state.
	Big, Word, Tile lipgloss.Style
	colors          map[string]lipgloss.TerminalColor
	help            help.Styles
}

// NewStyles builds the styles for r (lipgloss.DefaultRenderer() when nil).
func NewStyles(r *lipgloss.Renderer) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	green, red, yellow := lipgloss.Color("2"), lipgloss.Color("1"), lipgloss.Color("3")
	// An operator's states get colours of their own, so that a breaker held
	// open by hand is not read as an outage, nor a disabled one as healthy.
	magenta, blue := lipgloss.Color("5"), lipgloss.Color("4")
	// A fixed grey, not an AdaptiveColor: that would query the terminal's
	// background at start.
	grey := lipgloss.Color("245")
	s := Styles{
		Title:        r.NewStyle().Bold(true),
		Dim:          r.NewStyle().Foreground(grey),
		Label:        r.NewStyle().Foreground(grey),
		Note:         r.NewStyle().Foreground(lipgloss.Color("6")),
		Warn:         r.NewStyle().Foreground(yellow),
		Bad:          r.NewStyle().Foreground(red).Bold(true),
		Good:         r.NewStyle().Foreground(green),
		Paused:       r.NewStyle().Reverse(true).Bold(true),
		MenuItem:     r.NewStyle(),
		MenuSelected: r.NewStyle().Reverse(true),
		Big:          r.NewStyle().Bold(true).Border(lipgloss.RoundedBorder()).Width(15).Align(lipgloss.Center),
		Word:         r.NewStyle().Bold(true),
		Tile:         r.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		colors: map[string]lipgloss.TerminalColor{
			"CLOSED": green, "OPEN": red, "HALF_OPEN": yellow,
			"FORCED_OPEN": magenta, "DISABLED": blue,
		},
	}
	s.help = help.Styles{
		ShortKey:       r.NewStyle().Bold(true),
		ShortDesc:      r.NewStyle().Foreground(grey),
		ShortSeparator: r.NewStyle().Foreground(grey),
		FullKey:        r.NewStyle().Bold(true),
		FullDesc:       r.NewStyle().Foreground(grey),
		FullSeparator:  r.NewStyle().Foreground(grey),
		Ellipsis:       r.NewStyle().Foreground(grey),
	}
	return s
}

// ASCIIStyles renders without any colour or attribute: for NO_COLOR,
// --no-color and golden tests.
func ASCIIStyles() Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r)
}

func (s Styles) color(state string) lipgloss.TerminalColor {
	if c, ok := s.colors[state]; ok {
		return c
	}
	return lipgloss.Color("8")
}

// StateWord renders a state inline, coloured.
func (s Styles) StateWord(state string) string {
	return s.Word.Foreground(s.color(state)).Render(state)
}

// StateBanner renders a state big: the word on the state's colour in a box
// of that colour.
func (s Styles) StateBanner(state string) string {
	c := s.color(state)
	word := s.Word.Background(c).Foreground(lipgloss.Color("0")).Padding(0, 1).Render(state)
	return s.Big.BorderForeground(c).Render(word)
}
