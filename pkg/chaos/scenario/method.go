package scenario

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// method runs the steps on their timeline and the during-probes beside
// them; an abort, a step that failed or ctx cancels the steps, which undo
// their own faults.
func (r *runner) method(ctx context.Context) {
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.stop = cancel
	var wg sync.WaitGroup
	for i, st := range r.s.Method {
		wg.Go(func() {
			if sleepCtx(mctx, st.At.Duration) {
				r.step(mctx, i, st)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.during(mctx, done)
	<-done
	if ctx.Err() != nil && r.rep.setAbort("interrupted") {
		r.rep.add("abort", ptr(false), "interrupted: rolling back")
	}
}

// fail records that step i was refused or failed and stops the method: a
// run whose method did not run in full has no verdict to give.
func (r *runner) fail(i int, st Step, status string, err error) {
	r.rep.setStep(i, status, err)
	r.rep.add("fault", ptr(false), "%s %s: %v", stepName(i, st), status, err)
	if r.rep.setAbort(fmt.Sprintf("step %s %s: %v", stepName(i, st), status, err)) {
		r.rep.add("abort", ptr(false), "step %s %s: stopping the method", stepPath(i), status)
	}
	r.stop()
}

// ended records how a step that was applied ended: in full, or cut short
// by an abort or interrupt.
func (r *runner) ended(ctx context.Context, i int) {
	if ctx.Err() != nil {
		r.rep.setStep(i, StepCutShort, nil)
		return
	}
	r.rep.setStep(i, StepDone, nil)
}

func (r *runner) during(ctx context.Context, done <-chan struct{}) {
	fails := map[int]int{}
	t := time.NewTicker(r.s.Every.Duration)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i, p := range r.s.During {
			ok, v := r.pe.check(ctx, p)
			if ok {
				fails[i] = 0
				continue
			}
			fails[i]++
			r.rep.add("probe", ptr(false), "during: %s", v)
			if r.s.Abort.After > 0 && fails[i] >= r.s.Abort.After {
				reason := fmt.Sprintf("%s failed %d times in a row", p.Probe, fails[i])
				if r.rep.setAbort(reason) {
					r.rep.add("abort", ptr(false), "%s: stopping the method", reason)
				}
				r.stop()
				return
			}
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
