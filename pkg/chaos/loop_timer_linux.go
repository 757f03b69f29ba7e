//go:build linux

package chaos

import (
	"container/heap"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// timers are the loop's clock: a timerfd in its epoll set, armed for the
// earliest of a heap of deadlines. A timerfd wakes tens of microseconds
// after its deadline (see lead), where the Go runtime's timers wake up to a
// millisecond late while the process is idle (its netpoller's epoll_wait
// takes a timeout in milliseconds).
// One timer serves every waiting chunk, so 50 clients waiting at once cost
// one wake-up, not 50 sleeping threads.
type timers struct {
	fd    int
	mu    sync.Mutex
	h     timerHeap
	armed time.Time // when the timerfd fires next; zero: not armed
	// waitLead is learnt from goroutines waiting (after), loopLead from
	// functions run on the loop thread (held bytes, loop_delay_linux.go):
	// the first pay a goroutine hand-off, the second do not.
	waitLead, loopLead lead
}

type timer struct {
	at time.Time
	ch chan struct{} // closed when due, or
	fn func()        // run on the loop thread when due
}

func (t *timers) init(l *evloop) error {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return err
	}
	t.fd = fd
	return l.watch(fd, unix.EPOLLIN)
}

// after returns a channel closed early enough that the goroutine waiting
// on it runs at about at: the timerfd is armed a learnt lead before. Safe
// from any goroutine. The waiter reports when it ran with woke.
func (l *evloop) after(at time.Time) wake {
	ch := make(chan struct{})
	armed := at.Add(-l.timers.waitLead.get())
	l.timers.add(timer{at: armed, ch: ch})
	return wake{ch, armed}
}

// wake is a wait handed out by after.
type wake struct {
	C     <-chan struct{}
	armed time.Time // when the timerfd was set to fire
}

// woke learns from a waiter that runs now.
func (l *evloop) woke(w wake) { l.timers.waitLead.learn(time.Since(w.armed)) }

// lead is how long before a deadline a wake-up is armed so that what waits
// for it runs on time: a moving average (1/8 of each new sample) of how
// late wake-ups ran. Measured on the project's VM: a timerfd alone wakes
// its thread 60-70 us late (nanosleep(2) without timer slack the same), 75 us at p50 inside
// the proxy; a goroutine waiting on it ran 160 us late at p50; and a 1 ms
// latency fault added 1.22 ms at p50 with one client (bench-proxy.sh)
// on goroutine waits without the lead, 1.07-1.13 ms played in the loop
// with it (loop_delay_linux.go).
type lead struct{ ns atomic.Int64 }

func (d *lead) get() time.Duration { return time.Duration(d.ns.Load()) }

func (d *lead) learn(late time.Duration) {
	late = min(max(late, 0), maxLead)
	old := d.ns.Load()
	d.ns.Store(old + (int64(late)-old)/8) // a lost update only slows the learning
}

// maxLead bounds the lead, so that a stall (a paused VM, a GC) does not
// make every later wait end early.
const maxLead = 500 * time.Microsecond

// wakeSlop is how early a wait may end: a waiter woken this close to its
// deadline goes on rather than waiting again (which would cost a whole
// wake-up more).
const wakeSlop = 20 * time.Microsecond

// at runs fn on the loop thread at t.
func (l *evloop) at(at time.Time, fn func()) { l.timers.add(timer{at: at, fn: fn}) }

func (t *timers) add(tm timer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	heap.Push(&t.h, tm)
	if t.armed.IsZero() || tm.at.Before(t.armed) {
		t.armLocked(tm.at)
	}
}

// armLocked sets the timerfd to fire at at (relative to now: the runtime's
// monotonic clock is CLOCK_MONOTONIC, but time.Time does not expose it).
func (t *timers) armLocked(at time.Time) {
	d := max(time.Until(at), time.Nanosecond) // zero would disarm it
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if unix.TimerfdSettime(t.fd, 0, &spec, nil) == nil {
		t.armed = at
	}
}

// fire runs on the loop thread when the timerfd expired: it ends every due
// timer and arms the timerfd for the next.
func (t *timers) fire() {
	var n [8]byte
	_, _ = unix.Read(t.fd, n[:])
	now := time.Now()
	var due []timer
	t.mu.Lock()
	for len(t.h) > 0 && !t.h[0].at.After(now) {
		due = append(due, heap.Pop(&t.h).(timer))
	}
	t.armed = time.Time{}
	if len(t.h) > 0 {
		t.armLocked(t.h[0].at)
	}
	t.mu.Unlock()
	for _, tm := range due {
		if tm.ch != nil {
			close(tm.ch)
		} else {
			tm.fn()
		}
	}
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = timer{}
	*h = old[:len(old)-1]
	return x
}
