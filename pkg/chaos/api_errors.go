package chaos

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// APIError is the API's error body, in Toxiproxy's shape.
type APIError struct {
	Message string `json:"error"`
	Status  int    `json:"status"`
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// errBadRequest marks a request body or parameter the API cannot use.
var errBadRequest = errors.New("bad request body")

// errNotFound marks a route that does not exist.
var errNotFound = errors.New("not found")

// statusOf is the one table from errors to HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrProxyNotFound), errors.Is(err, ErrToxicNotFound),
		errors.Is(err, ErrConnNotFound), errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrProxyExists), errors.Is(err, ErrToxicExists):
		return http.StatusConflict
	case errors.Is(err, ErrUnknownType), errors.Is(err, ErrBadAttributes), errors.Is(err, ErrBadStream),
		errors.Is(err, ErrMissingField), errors.Is(err, errBadRequest), errors.Is(err, ErrTooMany),
		errors.Is(err, ErrBadName):
		return http.StatusBadRequest
	case errors.Is(err, ErrListen):
		return http.StatusConflict
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

func writeError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	writeJSON(w, status, APIError{Message: err.Error(), Status: status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
