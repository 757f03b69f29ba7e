package tui

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/manager"
)

// updating reports -update, the flag that the golden package (imported
// with teatest) defines: it rewrites the golden files in testdata/.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// t0 is the scenarios' start: 12:03:00 UTC.
var t0 = time.Date(2026, 11, 27, 12, 3, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// fakeFaults is a FaultController that records what it was asked.
type fakeFaults struct {
	applied []string
	active  []ActiveFault
}

func (f *fakeFaults) Options() []FaultOption {
	return []FaultOption{
		{ID: "latency", Label: "latency", Help: "+500ms on every reply"},
		{ID: "blackhole", Label: "blackhole", Help: "swallow every byte: commands time out"},
		{ID: ClearID, Label: "clear all", Help: "remove every fault"},
	}
}

func (f *fakeFaults) Apply(id string) ([]ActiveFault, error) {
	f.applied = append(f.applied, id)
	if id == ClearID {
		f.active = nil
	} else {
		f.active = append(f.active, ActiveFault{Name: id, Detail: "test"})
	}
	return f.active, nil
}

func newTestWatch(cfg WatchConfig) Watch {
	s := ASCIIStyles()
	cfg.Styles = &s
	if cfg.Source == "" {
		cfg.Source = "redis://127.0.0.1:6379 · probe 5/s"
	}
	w := NewWatch(cfg)
	m, _ := w.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m.(Watch)
}

// feed applies messages in order, running the command a key returns (a
// fault being applied); other commands (the next tick) are not run.
func feed(t *testing.T, w Watch, msgs ...tea.Msg) Watch {
	t.Helper()
	for _, msg := range msgs {
		m, cmd := w.Update(msg)
		w = m.(Watch)
		if _, isKey := msg.(tea.KeyMsg); isKey && cmd != nil {
			if out := cmd(); out != nil {
				if _, quit := out.(tea.QuitMsg); !quit {
					m, _ = w.Update(out)
					w = m.(Watch)
				}
			}
		}
	}
	return w
}

func keys(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

// healthy is a closed breaker's snapshot after n probes at 5/s.
func healthy(n uint64) manager.Snapshot {
	return manager.Snapshot{
		Name: "watch", State: manager.Closed, StateSince: t0,
		Requests: n, Successes: n, RetryTokens: 10,
		Latency: manager.LatencySummary{Count: n, P50: 310 * time.Microsecond, P90: 720 * time.Microsecond, P99: 1400 * time.Microsecond,
			Buckets: []manager.BucketCount{
				{UpperBound: 500 * time.Microsecond, Count: n / 2}, {UpperBound: time.Millisecond, Count: n * 9 / 10},
				{UpperBound: 2 * time.Millisecond, Count: n}, {UpperBound: math.MaxInt64, Count: n},
			}},
		Pool: manager.PoolStats{Size: 2, Total: 1, Idle: 1},
		Ping: manager.PingResult{At: t0, Latency: 280 * time.Microsecond},
	}
}

// golden compares got with testdata/name.golden (go test -update rewrites).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("View() differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// checkFits asserts the screen's shape: height lines, none wider than width,
// the help bar last.
func checkFits(t *testing.T, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Errorf("%dx%d: %d lines, want %d", width, height, len(lines), height)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > width {
			t.Errorf("%dx%d: line %d is %d wide: %q", width, height, i, n, l)
		}
	}
	if last := lines[len(lines)-1]; width >= 60 && height >= 10 && !strings.Contains(last, "quit") && !strings.Contains(last, "cancel") && !strings.Contains(last, "filter") {
		t.Errorf("%dx%d: last line is not the help bar: %q", width, height, last)
	}
}
