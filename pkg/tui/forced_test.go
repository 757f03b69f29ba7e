package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rescli/rescli/pkg/manager"
)

// Every breaker state has a colour of its own (and its word): none falls
// back to the grey of "no reading".
func TestEveryStateHasItsOwnColour(t *testing.T) {
	s := NewStyles(nil)
	seen := map[string]manager.State{}
	for _, st := range manager.States() {
		c, ok := s.colors[st.String()]
		if !ok {
			t.Errorf("%v has no colour: it would look like UNKNOWN", st)
			continue
		}
		key := fmt.Sprint(c)
		if other, dup := seen[key]; dup {
			t.Errorf("%v and %v share colour %s", st, other, key)
		}
		seen[key] = st
	}
}

func TestWatchShowsForcedStates(t *testing.T) {
	// Given a target an operator forced open after 10 healthy seconds
	w := newTestWatch(WatchConfig{Targets: []string{"redis"}})
	for s := 0; s <= 10; s++ {
		w = feed(t, w, SampleMsg{Target: "redis", At: at(float64(s)), Snap: healthy(uint64(5 * s))})
	}
	forced := healthy(55)
	forced.State, forced.StateSince, forced.StateReason = manager.ForcedOpen, at(10.5), "INC-7: shed load"
	w = feed(t, w,
		TransitionMsg{Target: "redis", Transition: manager.Transition{From: manager.Closed, To: manager.ForcedOpen,
			At: at(10.5), Reason: "INC-7: shed load"}},
		SampleMsg{Target: "redis", At: at(11), Snap: forced})
	// Then the screen says FORCED_OPEN in words, with the operator's reason
	v := w.View()
	for _, want := range []string{"FORCED_OPEN", "CLOSED → FORCED_OPEN", "INC-7: shed load"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 80, 24)

	// And a disabled service's tile says DISABLED
	tiles := newTestWatch(WatchConfig{Source: "2 services", Targets: []string{"checkout", "search"}})
	disabled := healthy(300)
	disabled.State, disabled.StateSince, disabled.StateReason = manager.Disabled, at(50), "breaker flaps"
	tiles = feed(t, tiles,
		SampleMsg{Target: "checkout", At: at(60), Snap: disabled},
		SampleMsg{Target: "search", At: at(60), Snap: forced})
	v = tiles.View()
	for _, want := range []string{"DISABLED", "FORCED_OPEN"} {
		if !strings.Contains(v, want) {
			t.Errorf("tiles lack %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 80, 24)
}
