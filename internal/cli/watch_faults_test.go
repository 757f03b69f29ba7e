package cli

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

// TestWatchEveryFaultOpensTheBreaker: each entry of the f menu, injected
// between watch's probe and a real redis-server, is an outage the breaker
// sees (it opens), and clear all lets it close again by itself.
func TestWatchEveryFaultOpensTheBreaker(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	o := &watchOptions{g: &Global{RedisURL: srv.URL()}, rate: 50, refresh: 50 * time.Millisecond, failures: 3,
		openWait: 300 * time.Millisecond, maxOpen: 300 * time.Millisecond, timeout: 200 * time.Millisecond, chaos: true}
	src, err := newWatchRedis(o, watchRedisSpec{name: watchTargetName, url: o.g.RedisURL})
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	ctx, cancel := context.WithCancel(context.Background())
	transitions := make(chan manager.Transition, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.run(ctx, func(m tea.Msg) bool {
			if tr, ok := m.(tui.TransitionMsg); ok {
				transitions <- tr.Transition
			}
			return ctx.Err() == nil
		})
	}()
	defer func() { cancel(); <-done }()

	waitState := func(fault string, want manager.State) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case tr := <-transitions:
				if tr.To == want {
					return
				}
			case <-deadline:
				t.Fatalf("%s: breaker not %s within 20s", fault, want)
			}
		}
	}
	for _, f := range watchFaultMenu {
		id := f.opt.ID
		if id == tui.ClearID {
			continue
		}
		if _, err := src.ctrl.Apply(id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		waitState(id, manager.Open)
		if _, err := src.ctrl.Apply(tui.ClearID); err != nil {
			t.Fatal(err)
		}
		waitState(id, manager.Closed)
	}
}
