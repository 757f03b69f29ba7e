//go:build unix

package orchestrate

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

func TestNotifyContextIsCancelledByARealSignal(t *testing.T) {
	// Given a context listening for SIGUSR1 on the real signal source
	ctx, stop := NotifyContext(context.Background(), OSSignals(), syscall.SIGUSR1)
	defer stop()

	// When the process sends itself SIGUSR1
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-ctx.Done()

	// Then the cause names the signal
	var se *SignalError
	if !errors.As(context.Cause(ctx), &se) || se.Signal != syscall.SIGUSR1 {
		t.Fatalf("cause = %v, want SIGUSR1", context.Cause(ctx))
	}
	if got := se.Error(); got != "received signal user defined signal 1" {
		t.Fatalf("message = %q", got)
	}
}
