package chaos

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
)

// Attributes are a fault's settings in their JSON shape, as Toxiproxy's API
// carries them: {"latency": 100, "jitter": 10}.
type Attributes map[string]any

// Stream names accepted in a Toxic.
const (
	StreamUpstream   = "upstream"   // client → Redis
	StreamDownstream = "downstream" // Redis → client
	StreamBoth       = "both"       // rescli extension: each direction
)

// Toxic is a named fault set on a proxy, in Toxiproxy's JSON shape. Toxicity
// is the probability the fault applies: per connection for byte faults, per
// request for Redis-level faults. The JSON API defaults a missing toxicity to
// 1; in Go, set it explicitly (0 means never).
type Toxic struct {
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	Stream     string     `json:"stream"` // "" for faults that have no direction
	Toxicity   float32    `json:"toxicity"`
	Attributes Attributes `json:"attributes"`
	// Injected counts the connections (byte faults) or requests (Redis
	// faults) the fault acted on. Read-only.
	Injected int64 `json:"injected"`
}

// UnmarshalJSON applies Toxiproxy's defaults: toxicity 1, stream downstream.
func (t *Toxic) UnmarshalJSON(b []byte) error {
	type plain Toxic
	p := plain{Toxicity: 1}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*t = Toxic(p)
	return nil
}

// instance is a Toxic in force: its built Fault and its counters. An update
// replaces the instance, so per-connection state starts afresh.
type instance struct {
	seq      uint64 // unique per proxy, feeds the toxicity draw
	name     string
	typ      string
	stream   string
	toxicity float32
	fault    Fault
	injected *atomic.Int64 // shared across updates of the same name
}

func (in *instance) toxic() Toxic {
	return Toxic{
		Name: in.name, Type: in.typ, Stream: in.stream, Toxicity: in.toxicity,
		Attributes: attributesOf(in.fault), Injected: in.injected.Load(),
	}
}

func (in *instance) flows(d Direction) bool {
	return in.stream == StreamBoth || in.stream == d.String()
}

func newInstance(t Toxic, seq uint64) (*instance, error) {
	if err := checkName("toxic name", t.Name, maxName); err != nil {
		return nil, err
	}
	if !(t.Toxicity >= 0 && t.Toxicity <= 1) { // NaN too
		return nil, fmt.Errorf("%w: toxicity %v not in [0,1]", ErrBadAttributes, t.Toxicity)
	}
	f, err := NewFault(t.Type, t.Attributes)
	if err != nil {
		return nil, err
	}
	stream := defaultStream(t.Stream)
	if stream != StreamUpstream && stream != StreamDownstream && stream != StreamBoth {
		return nil, fmt.Errorf("%w: %q", ErrBadStream, t.Stream)
	}
	_, bytes := f.(ByteFault)
	_, conn := f.(ConnFault)
	name := t.Type + "_" + stream
	if !bytes && !conn { // Redis-level and proxy-wide faults have no direction
		stream, name = "", t.Type
	}
	if t.Name != "" {
		name = t.Name
	}
	return &instance{seq: seq, name: name, typ: t.Type, stream: stream,
		toxicity: t.Toxicity, fault: f, injected: new(atomic.Int64)}, nil
}

func defaultStream(s string) string {
	if s == "" {
		return StreamDownstream
	}
	return s
}

// faultSet is an immutable snapshot of a proxy's faults, swapped atomically
// so the data path reads it without locks.
type faultSet struct {
	all      []*instance
	requests []*instance // RequestFault
	accepts  []*instance // AcceptFault
	bytes    bool        // any ByteFault or ConnFault
}

func newFaultSet(all []*instance) *faultSet {
	s := &faultSet{all: all}
	for _, in := range all {
		switch in.fault.(type) {
		case RequestFault:
			s.requests = append(s.requests, in)
		case AcceptFault:
			s.accepts = append(s.accepts, in)
		}
		_, b := in.fault.(ByteFault)
		_, c := in.fault.(ConnFault)
		s.bytes = s.bytes || b || c
	}
	return s
}

func (s *faultSet) find(name string) int {
	for i, in := range s.all {
		if in.name == name {
			return i
		}
	}
	return -1
}
