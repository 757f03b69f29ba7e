package health

import (
	"sync"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/manager"
)

// history keeps the most recent transitions in a ring.
type history struct {
	mu   sync.Mutex
	buf  []TransitionRecord
	next int
	full bool
}

func newHistory(n int) *history { return &history{buf: make([]TransitionRecord, max(n, 1))} }

func (h *history) add(r TransitionRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf[h.next] = r
	h.next = (h.next + 1) % len(h.buf)
	if h.next == 0 {
		h.full = true
	}
}

// list returns the records oldest first.
func (h *history) list() []TransitionRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full {
		return append([]TransitionRecord(nil), h.buf[:h.next]...)
	}
	out := make([]TransitionRecord, 0, len(h.buf))
	out = append(out, h.buf[h.next:]...)
	return append(out, h.buf[:h.next]...)
}

func breakerRecord(t manager.Transition) TransitionRecord {
	reason := t.Reason
	if t.Err != "" {
		reason += ": " + t.Err
	}
	return TransitionRecord{At: t.At, Component: "redis", From: t.From.String(), To: t.To.String(),
		Reason: redact.String(reason)}
}
