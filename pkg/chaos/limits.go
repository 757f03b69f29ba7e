package chaos

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Bounds shared by several attributes. A day is longer than any game day
// and keeps every sum of durations the data path makes (latency plus
// jitter, several latency faults in a row) far inside time.Duration.
const (
	maxMillis    = 24 * 60 * 60 * 1000 // a day, in milliseconds
	maxMicros    = maxMillis * 1000    // a day, in microseconds
	maxRate      = 1 << 30             // KB/s (~1 TB/s): rate*1024*10⁹ ns stays inside int64
	maxLimitData = 1 << 40             // bytes (1 TiB): a count, nothing is allocated by it
	maxSlice     = maxFrame            // bytes: no chunk the proxy reads is longer
	maxClients   = 1_000_000           // connections
	maxLine      = 4096                // bytes of an error line sent to clients
	maxAddress   = 261                 // bytes: a DNS name (253), ':' and a port
	maxSelector  = 1024                // bytes of a command list or a key glob
	maxName      = 256                 // bytes of a proxy's or a toxic's name
	maxAddr      = 1024                // bytes of a listen or upstream address
)

// checkName refuses a name or address over max bytes or with control
// bytes; what names it says what it is ("toxic name").
func checkName(what, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrBadName, what, len(s), max)
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		return fmt.Errorf("%w: %s has control byte %q", ErrBadName, what, s[i])
	}
	return nil
}

// Attr is one fault attribute and its allowed values. attrTable is the one
// place these are written: NewFault checks every attribute against it
// before the fault's own Validate (which checks how attributes relate, such
// as slicer's size_variation < average_size), and Describe and the
// README's table (AttributeTable) are made from it, so the documented range
// is the enforced one.
type Attr struct {
	Name string // the JSON name
	Unit string // "ms", "µs", "KB/s", "bytes", "connections"; "text" for a string
	// Min and Max bound a number; for text, Max caps its length in bytes.
	Min, Max int64
	// Line marks text that reaches clients inside a reply: control bytes
	// (CR and LF above all) would break RESP framing and are refused.
	Line bool
	Doc  string
}

func millis(name, doc string) Attr {
	return Attr{Name: name, Unit: "ms", Max: maxMillis, Doc: doc}
}

// The selector's attributes, shared by the Redis-level faults.
var selectorAttrs = []Attr{
	{Name: "command", Unit: "text", Max: maxSelector, Doc: "command names separated by commas, spaces or bars, any case (empty: every command)"},
	{Name: "key", Unit: "text", Max: maxSelector, Doc: "glob on the first argument, Redis's KEYS syntax (empty: any request)"},
}

var attrTable = map[string][]Attr{
	"bandwidth": {{Name: "rate", Unit: "KB/s", Min: 1, Max: maxRate, Doc: "per connection and direction"}},
	"delay":     append([]Attr{millis("delay", "how long each selected request is held")}, selectorAttrs...),
	"down":      nil,
	"error": append([]Attr{
		{Name: "error", Unit: "text", Max: 16, Doc: "a preset: " + strings.Join(ErrorPresets(), ", ")},
		{Name: "message", Unit: "text", Max: maxLine, Line: true, Doc: `any error line instead of a preset ("ERR ...")`},
		{Name: "address", Unit: "text", Max: maxAddress, Line: true, Doc: "host:port that MOVED and ASK point to"},
	}, selectorAttrs...),
	"latency":    {millis("latency", "added to every chunk"), millis("jitter", "± at random, per chunk")},
	"limit_data": {{Name: "bytes", Unit: "bytes", Max: maxLimitData, Doc: "the connection closes after this many"}},
	"maxclients": {{Name: "limit", Unit: "connections", Max: maxClients, Doc: "client connections let in at once"}},
	"reset_peer": {millis("timeout", "RST this long after the fault began acting on the connection")},
	"restart":    {millis("refuse", "connections refused for this long"), millis("loading", "then -LOADING for this long")},
	"slicer": {
		{Name: "average_size", Unit: "bytes", Min: 1, Max: maxSlice, Doc: "mean piece size"},
		{Name: "size_variation", Unit: "bytes", Max: maxSlice - 1, Doc: "± at random; less than average_size"},
		{Name: "delay", Unit: "µs", Max: maxMicros, Doc: "pause between pieces"},
	},
	"slow_accept": {millis("delay", "wait before accepting each connection")},
	"slow_close":  {millis("delay", "how long the FIN is held")},
	"timeout":     {millis("timeout", "close this long after the fault began acting (0: hold open forever)")},
}

// AttributesOf returns the attributes of a fault type with their ranges,
// in the order of the table; nil for a type with none or an unknown type.
func AttributesOf(typ string) []Attr { return append([]Attr(nil), attrTable[typ]...) }

// Range renders a's allowed values: "0–86400000 ms", "text, ≤ 4096 bytes, one line".
func (a Attr) Range() string {
	if a.Unit == "text" {
		s := "text, ≤ " + strconv.FormatInt(a.Max, 10) + " bytes"
		if a.Line {
			s += ", one line (no control bytes)"
		}
		return s
	}
	r := fmt.Sprintf("%d–%d %s", a.Min, a.Max, a.Unit)
	if a.Unit == "ms" && a.Max == maxMillis || a.Unit == "µs" && a.Max == maxMicros {
		r += " (a day)"
	}
	return r
}

// short is a's name and range for one line of help: "latency 0–86400000
// ms", "message ≤ 4096 bytes".
func (a Attr) short() string {
	if a.Unit == "text" {
		return fmt.Sprintf("%s ≤ %d bytes", a.Name, a.Max)
	}
	return fmt.Sprintf("%s %d–%d %s", a.Name, a.Min, a.Max, a.Unit)
}

// checkAttrs checks every attribute of f that attrTable lists for typ.
func checkAttrs(typ string, f Fault) error {
	attrs := attrTable[typ]
	if len(attrs) == 0 {
		return nil
	}
	v := reflect.ValueOf(f).Elem()
	fields := jsonFieldIndex(v.Type())
	for _, a := range attrs {
		idx, ok := fields[a.Name]
		if !ok {
			continue
		}
		if err := a.check(v.FieldByIndex(idx)); err != nil {
			return err
		}
	}
	return nil
}

func (a Attr) check(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n := v.Int(); n < a.Min || n > a.Max {
			return fmt.Errorf("%s %d out of range: want %s", a.Name, n, a.Range())
		}
	case reflect.String:
		s := v.String()
		if int64(len(s)) > a.Max {
			return fmt.Errorf("%s is %d bytes: want %s", a.Name, len(s), a.Range())
		}
		if a.Line {
			if i := strings.IndexFunc(s, isControl); i >= 0 {
				return fmt.Errorf("%s has control byte %q at %d: want %s", a.Name, s[i], i, a.Range())
			}
		}
	}
	return nil
}

// isControl reports the bytes a RESP error line cannot carry: C0 controls
// (CR and LF among them) and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

var fieldIndexes sync.Map // reflect.Type → map[string][]int

// jsonFieldIndex maps the JSON names of t's exported fields, embedded
// structs' included, to their indexes.
func jsonFieldIndex(t reflect.Type) map[string][]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[string][]int)
	}
	m := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			m[name] = f.Index
		}
	}
	fieldIndexes.Store(t, m)
	return m
}
