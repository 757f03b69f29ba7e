package chaos

import (
	"reflect"
	"strings"
)

// Describe says where a registered fault type acts and names its
// attributes with their ranges, for help text:
// "latency (bytes): latency 0–86400000 ms, jitter 0–86400000 ms".
func Describe(typ string) string {
	registryMu.RLock()
	newFault, ok := registry[typ]
	registryMu.RUnlock()
	if !ok {
		return ""
	}
	f := newFault()
	var where []string
	if _, ok := f.(ByteFault); ok {
		where = append(where, "bytes")
	}
	if _, ok := f.(ConnFault); ok {
		where = append(where, "connection")
	}
	if _, ok := f.(RequestFault); ok {
		where = append(where, "requests")
	}
	if _, ok := f.(AcceptFault); ok {
		where = append(where, "accept")
	}
	if _, ok := f.(ProxyFault); ok {
		where = append(where, "proxy")
	}
	attrs := jsonFields(reflect.TypeOf(f).Elem())
	for i, name := range attrs {
		for _, a := range attrTable[typ] {
			if a.Name == name {
				attrs[i] = a.short()
			}
		}
	}
	if len(attrs) == 0 {
		attrs = []string{"no attributes"}
	}
	return typ + " (" + strings.Join(where, ", ") + "): " + strings.Join(attrs, ", ")
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(sf.Type)...)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.IsExported() && name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// AttributeTable renders every fault type's attributes and their ranges as
// a Markdown table, from the same table NewFault checks against: the
// README carries it (a test keeps the two equal).
func AttributeTable() string {
	var b strings.Builder
	b.WriteString("| type | attribute | allowed | meaning |\n|---|---|---|---|\n")
	for _, typ := range Types() {
		attrs := attrTable[typ]
		if len(attrs) == 0 {
			b.WriteString("| " + typ + " | — | | no attributes |\n")
		}
		for _, a := range attrs {
			b.WriteString("| " + typ + " | `" + a.Name + "` | " + a.Range() + " | " + a.Doc + " |\n")
		}
	}
	return b.String()
}
