package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// runFleet plays the fleet story in a real bubbletea program of the given
// size, presses keys once the story is on screen, quits and returns the
// final model.
func runFleet(t *testing.T, width, height int, keys ...tea.KeyMsg) Watch {
	t.Helper()
	events := make(chan tea.Msg)
	s := ASCIIStyles()
	tm := teatest.NewTestModel(t, NewWatch(WatchConfig{Source: "3 Redis targets, 2 services", Targets: fleetTargets,
		Events: events, Styles: &s, StaleAfter: -1}), teatest.WithInitialTermSize(width, height))
	for _, m := range fleet() {
		events <- m
	}
	close(events)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(string(b), "billing") && strings.Contains(string(b), "12:04:00")
	},
		teatest.WithDuration(10*time.Second))
	for _, k := range keys {
		tm.Send(k)
	}
	tm.Type("q")
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Watch)
}

var (
	down  = tea.KeyMsg{Type: tea.KeyDown}
	enter = tea.KeyMsg{Type: tea.KeyEnter}
	esc   = tea.KeyMsg{Type: tea.KeyEsc}
)

func TestOverviewGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			v := runFleet(t, size[0], size[1]).View()
			golden(t, fmt.Sprintf("overview_%dx%d", size[0], size[1]), v)
			checkFits(t, v, size[0], size[1])
			// Then each target is a row, its state in words, the herd's
			// rejected rate and the full memory among its figures
			for _, want := range []string{"5 targets: 3 CLOSED, 1 HALF_OPEN, 1 UNKNOWN", "> prod-eu",
				"21.5", "96%", "cache", "HALF_OPEN", "billing", "no reading: fetch", "enter open"} {
				if !strings.Contains(v, want) {
					t.Errorf("overview lacks %q", want)
				}
			}
		})
	}
}

func TestDrillDownGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			// When enter drills into the first target, hit by a herd
			w := runFleet(t, size[0], size[1], enter)
			v := w.View()
			golden(t, fmt.Sprintf("drill_%dx%d", size[0], size[1]), v)
			checkFits(t, v, size[0], size[1])
			for _, want := range []string{"prod-eu · in state", "server: what Redis says · INFO every 1s",
				"rejected 21.5/s (1290 since 12:03:00)", "memory 96.0M of 100.0M (96%)", "evicted 3", "replicas 1 (lag ≤ 1.0K)",
				"spikes  command 250ms at 12:03:52 (max 410ms)", "slowest KEYS session:* 212ms (12:03:51)", "esc all targets"} {
				if !strings.Contains(v, want) {
					t.Errorf("drill-down lacks %q", want)
				}
			}
		})
	}
}

// The Cluster drill-down is a row per node with its own breaker; a node
// that cannot be read says why, one the user may not ask says n/a.
func TestDrillDownClusterGolden(t *testing.T) {
	w := runFleet(t, 120, 40, down, down, enter)
	v := w.View()
	golden(t, "drill_cluster_120x40", v)
	checkFits(t, v, 120, 40)
	for _, want := range []string{
		"10.0.3.2:7000         OPEN      master  INFO: read tcp",
		"10.0.3.4:7000         CLOSED    replica 12      0.0    840    97.5%  3.0M (3%)     512B",
		"spikes  none recorded (LATENCY LATEST; needs latency-monitor-threshold) · n/a (NOPERM) on 1 of 4 nodes",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("cluster drill-down lacks %q:\n%s", want, v)
		}
	}
}
