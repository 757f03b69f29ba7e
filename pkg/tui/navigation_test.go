package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/target"
)

func fleetWatch(t *testing.T) Watch {
	t.Helper()
	return feed(t, newTestWatch(WatchConfig{Source: "fleet", Targets: fleetTargets}), fleet()...)
}

func TestDrillInAndOut(t *testing.T) {
	// Given the fleet on the overview, the cursor on the first target
	w := fleetWatch(t)
	if w.drilled || !strings.Contains(w.View(), "> prod-eu") {
		t.Fatalf("does not open on the overview:\n%s", w.View())
	}
	// When ↓ then enter drill into the Sentinel target
	w = feed(t, w, down, enter)
	v := w.View()
	// Then its screen says which node is master and since when, and only
	// its own transitions
	for _, want := range []string{"prod-us · in state", "master  10.0.2.6:6379 · since 12:03:24 (was 10.0.2.5:6379) · via sentinel",
		"12:03:26 HALF_OPEN → CLOSED", "esc all targets"} {
		if !strings.Contains(v, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "prod-eu") {
		t.Errorf("drill-down shows another target:\n%s", v)
	}
	checkFits(t, v, 80, 24)
	// When esc comes back, the cursor is on the target just left
	w = feed(t, w, esc)
	if v := w.View(); w.drilled || !strings.Contains(v, "> prod-us") {
		t.Errorf("esc did not come back to the overview on prod-us:\n%s", v)
	}
}

func TestOverviewFilter(t *testing.T) {
	w := fleetWatch(t)
	// q while typing a filter is text, not quit
	w = feed(t, w, keys("/cq")...)
	if v := w.View(); !strings.Contains(v, "filter: cq█") || !strings.Contains(v, "no target matches the filter") {
		t.Errorf("filtering view:\n%s", v)
	}
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyBackspace})
	w = feed(t, w, keys("ache")...)
	w = feed(t, w, enter)
	v := w.View()
	if !strings.Contains(v, "> cache") || strings.Contains(v, "prod-eu") || !strings.Contains(v, "1 target: 1 HALF_OPEN") {
		t.Errorf("filtered overview:\n%s", v)
	}
	// enter opens the only target left; esc comes back to the filtered list
	w = feed(t, w, enter)
	if !w.drilled || w.dt.target != "cache" {
		t.Fatalf("enter opened %q", w.dt.target)
	}
	w = feed(t, w, esc)
	if v := w.View(); !strings.Contains(v, "> cache") || strings.Contains(v, "prod-eu") {
		t.Errorf("filter lost on the way back:\n%s", v)
	}
	// esc on the overview clears the filter
	w = feed(t, w, esc)
	if v := w.View(); !strings.Contains(v, "prod-eu") {
		t.Errorf("esc kept the filter:\n%s", v)
	}
}

// Many targets: the table scrolls with the cursor and says how many rows
// are hidden; the screen still fits.
func TestOverviewScrolls(t *testing.T) {
	var names []string
	var msgs []tea.Msg
	for i := range 40 {
		names = append(names, fmt.Sprintf("t%02d", i))
		msgs = append(msgs, SampleMsg{Target: names[i], At: at(1), Snap: healthy(5)})
	}
	w := feed(t, newTestWatch(WatchConfig{Targets: names}), msgs...)
	v := w.View()
	checkFits(t, v, 80, 24)
	if !strings.Contains(v, "more: ↑/↓ scroll, / filter") {
		t.Errorf("no hidden-rows line:\n%s", v)
	}
	for range 30 {
		w = feed(t, w, down)
	}
	v = w.View()
	checkFits(t, v, 80, 24)
	if !strings.Contains(v, "> t30") || strings.Contains(v, "t00 ") {
		t.Errorf("cursor row not scrolled into view:\n%s", v)
	}
	// ↑ from the first row wraps to the last
	w = feed(t, newTestWatch(WatchConfig{Targets: names}), msgs...)
	w = feed(t, w, tea.KeyMsg{Type: tea.KeyUp})
	if v := w.View(); !strings.Contains(v, "> t39") {
		t.Errorf("up from the top:\n%s", v)
	}
}

func TestFleetFitsEverySize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}, {120, 40}, {100, 30}, {40, 10}, {30, 3}, {20, 1}} {
		w := fleetWatch(t)
		w = feed(t, w, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkFits(t, w.View(), size[0], size[1])
		for range fleetTargets { // drill into each target in turn
			w = feed(t, w, enter)
			checkFits(t, w.View(), size[0], size[1])
			w = feed(t, w, keys("?")...)
			checkFits(t, w.View(), size[0], size[1])
			w = feed(t, w, keys("?")...)
			w = feed(t, w, esc, down)
		}
	}
}

// Without a breaker controller the force-open key is disabled and not offered.
func TestForceOpenKeyIsReservedNotOffered(t *testing.T) {
	w := fleetWatch(t)
	w = feed(t, w, down, down, down, enter) // a service
	v := w.View()
	if !w.drilled || strings.Contains(v, "force open") {
		t.Errorf("force open offered:\n%s", v)
	}
	if w.cfg.Keys.ForceOpen.Enabled() {
		t.Error("ForceOpen is enabled by default")
	}
	w = feed(t, w, keys("o")...)
	if w.dt.mode != modeNormal || w.note != "" {
		t.Errorf("o did something: mode %d note %q", w.dt.mode, w.note)
	}
}

// Pause freezes the overview too; the data keeps coming behind it.
func TestOverviewPause(t *testing.T) {
	w := feed(t, newTestWatch(WatchConfig{Targets: []string{"a", "b"}}), SampleMsg{Target: "a", At: at(1), Snap: healthy(5)})
	w = feed(t, w, keys("p")...)
	frozen := w.View()
	w = feed(t, w, SampleMsg{Target: "b", At: at(2), Snap: healthy(5)})
	if w.View() != frozen || !strings.Contains(frozen, "PAUSED") {
		t.Errorf("paused overview changed:\n%s", w.View())
	}
	w = feed(t, w, keys("p")...)
	if strings.Contains(w.View(), "waiting for the first reading") {
		t.Errorf("resumed overview lacks b's reading:\n%s", w.View())
	}
}

// A figure that needs a look — connections refused, memory nearly full —
// is drawn in the alarm colour (the value itself says it without colour).
func TestOverviewAlarmColour(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	s := NewStyles(r)
	w := NewWatch(WatchConfig{Source: "fleet", Targets: fleetTargets, Styles: &s})
	w = feed(t, w, fleet()...)
	w = feed(t, w, down) // prod-eu is no longer under the (uncoloured) cursor bar
	v := w.View()
	red := s.Bad.Render("21.5  ")
	if !strings.Contains(v, red) || !strings.Contains(v, s.Bad.Render("96%   ")) {
		t.Errorf("rejected rate and full memory not in the alarm colour:\n%q", v)
	}
	if strings.Contains(v, s.Bad.Render("0.0   ")) {
		t.Errorf("a zero rejected rate is in the alarm colour:\n%q", v)
	}
}

// A target whose Sentinels do not answer says so in its server panel.
func TestServerPanelSaysWhyItIsEmpty(t *testing.T) {
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}})
	w = feed(t, w, SampleMsg{Target: "redis", At: at(1), Snap: healthy(5)},
		ServerMsg{Target: "redis", Sample: redisstat.Sample{At: at(1), Kind: target.Sentinel, Started: at(0), Every: time.Second,
			Err: "cannot resolve the target sentinel mymaster [127.0.0.1:26379]: connection refused"}})
	v := w.View()
	for _, want := range []string{"resolve cannot resolve the target sentinel mymaster", "master  unknown yet", "spikes  none recorded"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 80, 24)
}
