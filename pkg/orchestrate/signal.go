package orchestrate

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// SignalSource delivers process signals. Its methods mean what os/signal's
// Notify and Stop mean; tests pass a fake that sends signals on demand.
type SignalSource interface {
	Notify(c chan<- os.Signal, sig ...os.Signal)
	Stop(c chan<- os.Signal)
}

// OSSignals returns the SignalSource backed by os/signal.
func OSSignals() SignalSource { return osSignals{} }

type osSignals struct{}

func (osSignals) Notify(c chan<- os.Signal, sig ...os.Signal) { signal.Notify(c, sig...) }
func (osSignals) Stop(c chan<- os.Signal)                     { signal.Stop(c) }

// SignalError is the cancellation cause NotifyContext sets when a signal
// arrives.
type SignalError struct {
	Signal os.Signal
}

func (e *SignalError) Error() string { return "received signal " + e.Signal.String() }

// NotifyContext is signal.NotifyContext over src: the returned context is
// cancelled, with a *SignalError cause, when one of sig arrives. The stop
// func stops listening and releases the context.
func NotifyContext(parent context.Context, src SignalSource, sig ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	src.Notify(ch, sig...)
	go func() {
		select {
		case s := <-ch:
			cancel(&SignalError{Signal: s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		src.Stop(ch)
		cancel(context.Canceled)
	}
}

// Serve is the application lifecycle: it runs start-up, waits until ctx is
// done or SIGINT or SIGTERM arrives from src, and then stops every started
// service in reverse start order within Options.StopTimeout. A signal during
// start-up aborts it and rolls back as a critical failure does. It returns
// the start-up report and the start-up or stop errors joined.
func (o *Orchestrator) Serve(ctx context.Context, src SignalSource) (*Report, error) {
	sctx, stop := NotifyContext(ctx, src, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := o.Run(sctx)
	if err != nil {
		return rep, err
	}
	<-sctx.Done()
	return rep, o.Stop(context.WithoutCancel(ctx))
}
