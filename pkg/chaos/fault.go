package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"
)

// A Fault is one kind of injected failure together with its attributes.
// Each fault type lives in its own file, registers a constructor under its
// type name (Register("latency", ...)), and implements one or more of the
// hook interfaces below: what it implements says where it acts.
type Fault interface {
	// Validate checks how the attributes relate to one another, once they
	// were decoded from JSON and each was found inside its range (NewFault
	// checks ranges against attrTable first, in one place for every type).
	Validate() error
}

// ByteFault acts on the bytes of one direction of one connection.
type ByteFault interface {
	Fault
	// Pipe handles one chunk (c.EOF marks the end of the stream) and hands
	// what it lets through, when it lets it through, to next.
	Pipe(s *Stream, c Chunk, next func(Chunk) error) error
}

// ConnFault acts on a whole connection over time. Run is called in its own
// goroutine when the fault becomes active on a connection and must return
// when ctx is done (the fault was removed or the connection closed).
type ConnFault interface {
	Fault
	Run(ctx context.Context, c *Stream)
}

// RequestFault acts on whole Redis requests. The proxy parses RESP only
// while at least one is set.
type RequestFault interface {
	Fault
	// Request returns what to do with r and whether the fault applies to it
	// at all; the toxicity draw is made by the proxy after a match.
	Request(r *Request) (Action, bool)
}

// Action is what a RequestFault does to one request. The zero value
// forwards it.
type Action struct {
	Reply []byte        // answer with these bytes instead of forwarding
	Delay time.Duration // forward after this long
}

// AcceptFault acts on new client connections.
type AcceptFault interface {
	Fault
	// Admit returns the bytes to reject a new connection with, or nil to let
	// it in; clients is the number of client connections open now.
	Admit(clients int64) []byte
	// AcceptDelay is how long to wait before accepting the next connection.
	AcceptDelay() time.Duration
}

// ProxyFault acts on the whole proxy for as long as it is set. Run is called
// in its own goroutine when the fault is added and must undo what it did and
// return when ctx is done.
type ProxyFault interface {
	Fault
	Run(ctx context.Context, p *Control)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]func() Fault{}
)

// Register makes a fault type available under name. It is called from the
// init function of the fault's own file and panics on a duplicate.
func Register(name string, newFault func() Fault) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("chaos: fault type registered twice: " + name)
	}
	registry[name] = newFault
}

// Types lists the registered fault types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for name := range registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// NewFault builds a fault of type typ from JSON-shaped attributes (nil: the
// type's defaults). Unknown attribute names are an error, and so is a value
// outside its documented range (see AttributesOf): the API, --toxic and
// scenario files all build faults here, so none can set a value the data
// path cannot handle.
func NewFault(typ string, attrs Attributes) (Fault, error) {
	registryMu.RLock()
	newFault, ok := registry[typ]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, typ)
	}
	f := newFault()
	if len(attrs) > 0 {
		raw, err := json.Marshal(attrs)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadAttributes, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f); err != nil {
			return nil, fmt.Errorf("%w for %s: %v", ErrBadAttributes, typ, err)
		}
	}
	if err := checkAttrs(typ, f); err != nil {
		return nil, fmt.Errorf("%w for %s: %v", ErrBadAttributes, typ, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%w for %s: %v", ErrBadAttributes, typ, err)
	}
	return f, nil
}

// attributesOf renders a fault's attributes back to their JSON shape.
func attributesOf(f Fault) Attributes {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil
	}
	var out Attributes
	if json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return out
}
