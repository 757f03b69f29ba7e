package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rescli/rescli/internal/redact"
)

// Documented exit codes (README "Exit codes"). Every command maps its outcome
// to one of these through ExitCode, in this one place.
const (
	// ExitOK means the command did what it was asked and every check passed.
	ExitOK = 0
	// ExitCheckFailed means the command ran but a check or verification failed.
	ExitCheckFailed = 1
	// ExitError means a usage error, bad input, or a target that could not be
	// reached: the command could not do its job at all.
	ExitError = 2
	// A command ended by a signal, after undoing what it changed, exits
	// 128+signal: 129 SIGHUP, 130 SIGINT, 131 SIGQUIT, 143 SIGTERM (see
	// InterruptedError).
)

// ErrCheckFailed is wrapped by errors that mean "ran, but a check failed"
// (exit 1). Every other error exits 2.
var ErrCheckFailed = errors.New("check failed")

// CheckFailed returns an error that exits 1 with the given message.
func CheckFailed(format string, args ...any) error {
	return &checkFailedError{msg: fmt.Sprintf(format, args...)}
}

type checkFailedError struct{ msg string }

func (e *checkFailedError) Error() string { return e.msg }
func (e *checkFailedError) Unwrap() error { return ErrCheckFailed }

// UsageError marks an error in how the command was called (bad flag value,
// malformed URL, missing argument).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error returned by a command to the documented exit code.
func ExitCode(err error) int {
	var ie *InterruptedError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ie):
		return ie.ExitCode()
	case errors.Is(err, ErrCheckFailed):
		return ExitCheckFailed
	default:
		return ExitError
	}
}

// PrintError writes err to w as one line, credentials redacted.
func PrintError(w io.Writer, err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(w, "rescli: %s\n", redact.String(msg))
}
