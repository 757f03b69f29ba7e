package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rescli/rescli/internal/redact"
)

// Format names the format a health response was read as.
type Format string

// Formats Decode reads.
const (
	FormatHealthJSON Format = "health+json" // the IETF draft, rescli's own
	FormatActuator   Format = "actuator"    // Spring Boot /actuator/health
	FormatKubernetes Format = "kubernetes"  // /livez, /readyz?verbose text
	FormatPlain      Format = "plain"       // anything else: the code decides
)

// Decode normalises a health response to a Document. JSON with pass/warn/
// fail (or a "checks" object) is the IETF draft; JSON with UP/DOWN or
// "components" is Spring Boot Actuator; text with "[+]name ok" lines is a
// Kubernetes verbose check; anything else is judged by its code: 2xx pass,
// other fail. A document never passes with a 5xx code.
func Decode(code int, contentType string, body []byte) (Format, Document, error) {
	trimmed := bytes.TrimSpace(body)
	codeSt := Pass
	if code < 200 || code > 299 {
		codeSt = Fail
	}
	if strings.Contains(contentType, "json") || bytes.HasPrefix(trimmed, []byte("{")) {
		f, d, err := decodeJSON(trimmed)
		if err != nil {
			return "", Document{}, err
		}
		d.Status = Worst(d.Status, codeSt)
		return f, d, nil
	}
	if d, ok := decodeKubernetes(string(trimmed), codeSt); ok {
		return FormatKubernetes, d, nil
	}
	d := Document{Status: codeSt}
	if codeSt != Pass {
		line, _, _ := strings.Cut(string(trimmed), "\n")
		d.Output = redact.String(fmt.Sprintf("HTTP %d %s", code, truncate(line, 200)))
	}
	return FormatPlain, d, nil
}

func decodeJSON(body []byte) (Format, Document, error) {
	var probe struct {
		Status     string          `json:"status"`
		Checks     json.RawMessage `json:"checks"`
		Components json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return "", Document{}, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	word := strings.ToLower(probe.Status)
	if word == "" && probe.Checks == nil && probe.Components == nil {
		return FormatPlain, Document{Status: Pass}, nil // JSON of another kind: the code decides
	}
	if probe.Components != nil || word == "up" || word == "down" || word == "out_of_service" || word == "unknown" {
		return decodeActuator(body)
	}
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return "", Document{}, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	st, ok := ParseStatus(string(d.Status))
	if !ok {
		return "", Document{}, fmt.Errorf("%w: unknown status %q", ErrBadResponse, truncate(probe.Status, 40))
	}
	d.Status = st
	for k, cs := range d.Checks {
		for i := range cs {
			cs[i].Status, _ = ParseStatus(string(cs[i].Status))
		}
		d.Checks[k] = cs
	}
	return FormatHealthJSON, d, nil
}

// actuatorNode is one Spring Boot health indicator, or a group of them.
type actuatorNode struct {
	Status     string                  `json:"status"`
	Details    map[string]any          `json:"details"`
	Components map[string]actuatorNode `json:"components"`
}

func decodeActuator(body []byte) (Format, Document, error) {
	var root actuatorNode
	if err := json.Unmarshal(body, &root); err != nil {
		return "", Document{}, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	st, _ := ParseStatus(root.Status)
	d := Document{Status: st, Checks: map[string][]Check{}}
	var walk func(prefix string, comps map[string]actuatorNode)
	walk = func(prefix string, comps map[string]actuatorNode) {
		for _, name := range slices.Sorted(maps.Keys(comps)) {
			n := comps[name]
			if len(n.Components) > 0 {
				walk(prefix+name+"/", n.Components)
				continue
			}
			cst, _ := ParseStatus(n.Status)
			ch := Check{ComponentID: prefix + name, ComponentType: "component", ObservedValue: n.Status, Status: cst}
			if cst != Pass {
				ch.Output = actuatorOutput(n)
			}
			d.Checks[prefix+name+":status"] = []Check{ch}
		}
	}
	walk("", root.Components)
	return FormatActuator, d, nil
}

func actuatorOutput(n actuatorNode) string {
	if e, ok := n.Details["error"].(string); ok {
		return redact.String(truncate(e, 200))
	}
	return n.Status
}

// decodeKubernetes reads "[+]name ok" / "[-]name failed: reason" lines and
// the bare "ok" body of /livez and /readyz.
func decodeKubernetes(body string, codeSt Status) (Document, bool) {
	d := Document{Status: codeSt, Checks: map[string][]Check{}}
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		mark, rest := "", ""
		switch {
		case strings.HasPrefix(line, "[+]"):
			mark, rest = "+", line[3:]
		case strings.HasPrefix(line, "[-]"):
			mark, rest = "-", line[3:]
		default:
			if strings.HasSuffix(line, "check failed") {
				d.Output = line
			}
			continue
		}
		name, detail, _ := strings.Cut(rest, " ")
		ch := Check{ComponentID: name, ComponentType: "component", ObservedValue: detail, Status: Pass}
		if mark == "-" {
			ch.Status, ch.Output = Fail, redact.String(detail)
			d.Status = Fail
		}
		d.Checks[name+":status"] = []Check{ch}
	}
	if len(d.Checks) == 0 {
		if body != "ok" {
			return Document{}, false
		}
		d.Checks = nil
	}
	return d, true
}

// truncate keeps at most n bytes of s, never splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
