package manager

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// writer sends one write every 10ms until stopped and remembers, after a
// kill was marked, how many writes failed and when the first one
// succeeded again.
type writer struct {
	killedAt  atomic.Int64 // unix ns; 0 before the kill
	recovered atomic.Int64 // unix ns of the first write started after the kill that succeeded
	okBefore  atomic.Int64
	failed    atomic.Int64 // writes that failed after the kill
	stop      chan struct{}
	done      chan struct{}
}

// startWriter runs write in a loop; write returns nil on success.
func startWriter(t testing.TB, write func(ctx context.Context) error) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			started := time.Now().UnixNano()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := write(ctx)
			cancel()
			killed := w.killedAt.Load()
			switch {
			case killed == 0 && err == nil:
				w.okBefore.Add(1)
			case killed != 0 && err != nil:
				w.failed.Add(1)
			case killed != 0 && started > killed && w.recovered.Load() == 0:
				w.recovered.Store(time.Now().UnixNano())
			}
		}
	}()
	t.Cleanup(w.close)
	return w
}

func (w *writer) close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// kill marks the kill time and runs kill.
func (w *writer) kill(kill func()) {
	for deadline := time.Now().Add(5 * time.Second); w.okBefore.Load() < 5; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			panic("the writer never succeeded before the kill")
		}
	}
	w.killedAt.Store(time.Now().UnixNano())
	kill()
}

// awaitRecovery returns the time from the kill to the first successful
// write, or an error after limit.
func (w *writer) awaitRecovery(limit time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(limit)
	for w.recovered.Load() == 0 {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no successful write within %s of the kill (%d failed)", limit, w.failed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Duration(w.recovered.Load() - w.killedAt.Load()), nil
}
