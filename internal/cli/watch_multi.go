package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/tui"
)

// watchMulti is several sources watched at once: a source per Redis
// target and one for every service.
type watchMulti struct {
	sources []watchSource
}

func (m *watchMulti) describe() string {
	redis, services := 0, 0
	var parts []string
	for _, s := range m.sources {
		if ws, ok := s.(*watchServices); ok {
			services += len(ws.names)
			continue
		}
		redis++
	}
	if redis > 0 {
		parts = append(parts, fmt.Sprintf("%d Redis target%s", redis, map[bool]string{true: "s"}[redis > 1]))
	}
	if services > 0 {
		parts = append(parts, fmt.Sprintf("%d service%s", services, map[bool]string{true: "s"}[services > 1]))
	}
	return strings.Join(parts, ", ")
}

func (m *watchMulti) targets() []string {
	var out []string
	for _, s := range m.sources {
		out = append(out, s.targets()...)
	}
	return out
}

// faults is the one Redis target's under --chaos (watch allows one).
func (m *watchMulti) faults() tui.FaultController {
	for _, s := range m.sources {
		if f := s.faults(); f != nil {
			return f
		}
	}
	return nil
}

// run runs every source until ctx is done; emit is safe to call from
// each source's goroutine.
func (m *watchMulti) run(ctx context.Context, emit func(tea.Msg) bool) {
	var wg sync.WaitGroup
	for _, s := range m.sources {
		wg.Go(func() { s.run(ctx, emit) })
	}
	wg.Wait()
}

func (m *watchMulti) close() {
	for _, s := range m.sources {
		s.close()
	}
}
