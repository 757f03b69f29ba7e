package health

import (
	"net/http"
	"strings"
)

// Status is a health status as the IETF draft spells it.
type Status string

// Statuses, from best to worst.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// MediaType is the IETF draft's media type for health documents.
const MediaType = "application/health+json"

func (s Status) rank() int {
	switch s {
	case Pass:
		return 0
	case Warn:
		return 1
	default:
		return 2
	}
}

// Worst returns the worse of the statuses; an unknown status counts as
// fail, and no status at all as pass.
func Worst(statuses ...Status) Status {
	w := Pass
	for _, s := range statuses {
		if s.rank() > w.rank() {
			w = s
		}
	}
	if w.rank() == 2 {
		return Fail
	}
	return w
}

// HTTPCode is the response code for a document with this status: pass and
// warn answer 200, fail 503.
func (s Status) HTTPCode() int {
	if s == Pass || s == Warn {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

// capAt returns s, but no worse than limit.
func (s Status) capAt(limit Status) Status {
	if s.rank() > limit.rank() {
		return limit
	}
	return s
}

// ParseStatus normalises the status words health endpoints use: the draft's
// pass/warn/fail and its aliases ok/up, down/error; Spring Boot's UP, DOWN,
// OUT_OF_SERVICE and UNKNOWN; and "healthy"/"degraded"/"unhealthy". The
// second result is false for a word it does not know (mapped to fail).
func ParseStatus(word string) (Status, bool) {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "pass", "ok", "up", "healthy", "green":
		return Pass, true
	case "warn", "warning", "degraded", "unknown", "yellow":
		return Warn, true
	case "fail", "down", "error", "unhealthy", "out_of_service", "red", "critical":
		return Fail, true
	default:
		return Fail, false
	}
}
