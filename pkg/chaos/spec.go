package chaos

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseToxic reads the one-line form of a fault used on command lines:
// the type, then comma-separated key=value pairs. name, stream and
// toxicity are the Toxic's own fields; every other key is an attribute.
//
//	latency,latency=100,jitter=10,stream=both
//	error,error=LOADING,command=get|mget,key=user:*,toxicity=0.1
func ParseToxic(spec string) (Toxic, error) {
	parts := strings.Split(spec, ",")
	t := Toxic{Type: strings.TrimSpace(parts[0]), Toxicity: 1, Attributes: Attributes{}}
	if t.Type == "" || strings.Contains(t.Type, "=") {
		return Toxic{}, fmt.Errorf("parse toxic %q: %w: it must start with the type", spec, ErrMissingField)
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return Toxic{}, fmt.Errorf("parse toxic %q: %w: %q is not key=value", spec, ErrBadAttributes, kv)
		}
		switch k {
		case "name":
			t.Name = v
		case "stream":
			t.Stream = v
		case "toxicity":
			f, err := strconv.ParseFloat(v, 32)
			if err != nil {
				return Toxic{}, fmt.Errorf("parse toxic %q: %w: toxicity %q", spec, ErrBadAttributes, v)
			}
			t.Toxicity = float32(f)
		default:
			t.Attributes[k] = attrValue(v)
		}
	}
	return t, nil
}

// attrValue turns a command-line value into its JSON type.
func attrValue(v string) any {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	if b, err := strconv.ParseBool(v); err == nil {
		return b
	}
	return v
}
