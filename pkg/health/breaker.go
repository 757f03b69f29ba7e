package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rescli/rescli/internal/strictjson"
	"github.com/rescli/rescli/pkg/manager"
)

// PathBreaker is the admin endpoint that forces, disables and resets the
// manager's circuit breaker: POST a BreakerRequest, get a BreakerState.
const PathBreaker = "/admin/breaker"

// Breaker actions, BreakerRequest.Action.
const (
	// ActionForceOpen holds the breaker open (manager.ForceOpen): the
	// service stops sending to Redis and runs its fallbacks.
	ActionForceOpen = "force-open"
	// ActionDisable turns the breaker off (manager.Disable): calls always
	// go to Redis, the breaker never opens.
	ActionDisable = "disable"
	// ActionReset moves the breaker back to CLOSED with its counts cleared
	// (manager.Reset).
	ActionReset = "reset"
)

// MaxReasonLen bounds BreakerRequest.Reason, in bytes.
const MaxReasonLen = 200

// maxBreakerBody caps a POST /admin/breaker body (413 above).
const maxBreakerBody = 4 << 10

// ErrBadReason is returned for a reason that is missing where it is needed,
// too long, not UTF-8 or holds control characters.
var ErrBadReason = errors.New("invalid reason")

// BreakerRequest is the body of POST /admin/breaker.
type BreakerRequest struct {
	// Action is force-open, disable or reset.
	Action string `json:"action"`
	// Reason says why, for the transition log and the documents: needed
	// for force-open and disable, optional for reset (then only logged).
	// At most MaxReasonLen bytes of printable UTF-8.
	Reason string `json:"reason,omitempty"`
}

// BreakerState is the answer of POST /admin/breaker: the breaker after the
// action.
type BreakerState struct {
	Action string `json:"action"`
	// Changed is false when the breaker was already in the state asked for
	// (forcing again keeps the first reason).
	Changed    bool      `json:"changed"`
	State      string    `json:"state"`
	StateSince time.Time `json:"stateSince"`
	// StateReason is why the breaker is in State.
	StateReason string `json:"stateReason,omitempty"`
	// Nodes are a Cluster's node breakers, which the action moved too.
	Nodes []BreakerNode `json:"nodes,omitempty"`
}

// BreakerNode is one Cluster node's breaker in a BreakerState.
type BreakerNode struct {
	Addr  string `json:"addr"`
	Role  string `json:"role"`
	State string `json:"state"`
}

// CheckReason reports whether reason may be recorded: at most MaxReasonLen
// bytes of UTF-8 with no control characters (no newline to forge a log
// line, no escape to repaint a terminal), and not empty when required.
func CheckReason(reason string, required bool) error {
	switch {
	case reason == "" && required:
		return fmt.Errorf("%w: a reason is required", ErrBadReason)
	case len(reason) > MaxReasonLen:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBadReason, len(reason), MaxReasonLen)
	case !utf8.ValidString(reason):
		return fmt.Errorf("%w: not UTF-8", ErrBadReason)
	case strings.IndexFunc(reason, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: control characters are not allowed", ErrBadReason)
	}
	return nil
}

// BreakerHandler serves the breaker control on its own, guarded by the
// admin token like the admin documents (404 with no token configured, 401,
// 403), for a service that mounts it on its own admin mux; Handler mounts
// it at PathBreaker. It needs a Manager (nil without one). POST only (405
// otherwise); the body is one strict JSON BreakerRequest (unknown fields,
// duplicate keys and trailing data 400, over 4 KiB 413).
func (c *Checker) BreakerHandler() http.Handler {
	if c.opts.Manager == nil {
		return nil
	}
	return c.guard(http.HandlerFunc(c.breakerHandler))
}

func (c *Checker) breakerHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writePlain(w, http.StatusMethodNotAllowed, "method not allowed: POST a JSON body")
		return
	}
	var req BreakerRequest
	if err := strictjson.Decode(http.MaxBytesReader(w, r.Body, maxBreakerBody), &req); err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, strictjson.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		writePlain(w, code, err.Error())
		return
	}
	m := c.opts.Manager
	var act func()
	switch req.Action {
	case ActionForceOpen:
		act = func() { m.ForceOpen(req.Reason) }
	case ActionDisable:
		act = func() { m.Disable(req.Reason) }
	case ActionReset:
		act = m.Reset
	default:
		writePlain(w, http.StatusBadRequest, fmt.Sprintf("unknown action %.40q: want %s, %s or %s",
			req.Action, ActionForceOpen, ActionDisable, ActionReset))
		return
	}
	if err := CheckReason(req.Reason, req.Action != ActionReset); err != nil {
		writePlain(w, http.StatusBadRequest, err.Error())
		return
	}
	before := m.State()
	act()
	s := m.Snapshot()
	c.opts.Logger.Info("circuit breaker action", "action", req.Action, "reason", req.Reason,
		"remote", r.RemoteAddr, "from", before.String(), "to", s.State.String())
	writeJSON(w, breakerState(req.Action, before, s))
}

func breakerState(action string, before manager.State, s manager.Snapshot) BreakerState {
	st := BreakerState{Action: action, Changed: before != s.State, State: s.State.String(),
		StateSince: s.StateSince, StateReason: s.StateReason}
	for _, n := range s.Nodes {
		st.Nodes = append(st.Nodes, BreakerNode{Addr: n.Addr, Role: n.Role, State: n.State.String()})
	}
	return st
}

// writeJSON answers v as application/json, never cached.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode answer", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}
