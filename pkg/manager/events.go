package manager

import (
	"sync"
	"sync/atomic"
)

// Subscription receives breaker transitions. A subscriber that does not keep
// up loses events instead of slowing the manager; Dropped counts them.
type Subscription struct {
	C       <-chan Transition
	c       chan Transition
	dropped atomic.Uint64
	hub     *hub
}

// Dropped returns how many transitions this subscriber missed.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes; C is closed.
func (s *Subscription) Close() { s.hub.remove(s) }

type hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

func (h *hub) subscribe(buffer int) *Subscription {
	c := make(chan Transition, max(buffer, 1))
	s := &Subscription{C: c, c: c, hub: h}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*Subscription]struct{}{}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
	}
}

// publish never blocks.
func (h *hub) publish(t Transition) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.c <- t:
		default:
			s.dropped.Add(1)
		}
	}
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		delete(h.subs, s)
		close(s.c)
	}
}

func (h *hub) totalDropped() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var n uint64
	for s := range h.subs {
		n += s.dropped.Load()
	}
	return n
}
