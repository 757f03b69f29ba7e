package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/rescli/rescli/pkg/orchestrate"
)

// terminationSignals end a command. Every command that changes something
// (a fault, a proxy, a dev deployment) undoes it on each of them: Ctrl-C, a
// kill, a closed terminal (SIGHUP) and Ctrl-\ (SIGQUIT, which would
// otherwise dump goroutines and exit at once).
var terminationSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// signalContext is ctx cancelled, with an *orchestrate.SignalError cause,
// when one of terminationSignals arrives. The one place commands listen for
// them.
func signalContext(ctx context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	if len(sigs) == 0 {
		sigs = terminationSignals
	}
	return orchestrate.NotifyContext(ctx, orchestrate.OSSignals(), sigs...)
}

// InterruptedError is returned by a command a signal ended after it undid
// what it had changed. It exits 128+signal (130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP, 131 for SIGQUIT), as a shell reports a process a
// signal killed, so a script sees the run did not complete.
type InterruptedError struct {
	Signal os.Signal
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted by %s", e.Signal)
}

// ExitCode is 128 plus the signal's number.
func (e *InterruptedError) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return ExitError
}

// interrupted returns an *InterruptedError when ctx was ended by a
// termination signal, else nil.
func interrupted(ctx context.Context) error {
	var se *orchestrate.SignalError
	if errors.As(context.Cause(ctx), &se) {
		return &InterruptedError{Signal: se.Signal}
	}
	return nil
}
