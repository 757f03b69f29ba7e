//go:build linux

package chaos

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// The event loop carries every connection that no fault concerns: one
// thread, one epoll set, read(2) and write(2) between the two sockets of a
// connection, nothing else, as scripts/floorproxy does. It also plays
// latency faults (loop_delay_linux.go) and frames requests for Redis-level
// faults up to one they act on (loop_inspect_linux.go). A connection that
// another fault concerns moves to the goroutine path (conn_path.go) and
// comes back once none does. Goroutines per connection cost the scheduler two
// wake-ups per request and half again the CPU of a bare forwarder; the
// loop costs what the forwarder costs, and an idle connection holds its two
// sockets and a few hundred bytes.
//
// The loop's thread blocks in epoll_wait holding its P until sysmon hands
// the P on, so the loop is used only with GOMAXPROCS 2 or more (with one,
// every other goroutine would wait for sysmon). One loop serves every
// proxy of the process; it starts with the first proxy and stops with the
// last.
//
// Everything the loop owns (the epoll set, its descriptors, lconn and
// lside) is touched only on its thread. Other goroutines talk to it by
// posting functions (post, do), run in order between events.

// evloop is the event loop.
type evloop struct {
	ep, wake int       // the epoll set, and an eventfd that wakes it for posted work
	fds      []fdEntry // what each descriptor number is, on the loop thread
	buf      []byte    // the one read buffer: bytes are written on before the next read
	events   []unix.EpollEvent
	next, n  int // events[next:n] are still to be served (kept across a recovered panic)
	cur      *lconn
	timers   timers

	mu      sync.Mutex
	posted  []func()
	stop    atomic.Bool
	running []func() // posted functions taken by the loop thread
	ran     int      // running[:ran] have run (kept across a recovered panic)
	exited  chan struct{}
}

// fdEntry is one descriptor the loop watches: a side of a connection or a
// proxy's listening socket.
type fdEntry struct {
	side *lside
	lis  *llistener
}

var loops struct {
	mu   sync.Mutex
	l    *evloop
	refs int
}

// acquireLoop returns the process's event loop, starting it if needed, or
// nil when connections must be served by goroutines only.
func acquireLoop() *evloop {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	loops.mu.Lock()
	defer loops.mu.Unlock()
	if loops.l == nil {
		l, err := newLoop()
		if err != nil {
			return nil
		}
		loops.l = l
		go l.run()
	}
	loops.refs++
	return loops.l
}

// release gives back what acquireLoop returned; the last release stops the
// loop and waits until its thread is gone.
func (l *evloop) release() {
	loops.mu.Lock()
	defer loops.mu.Unlock()
	if loops.refs--; loops.refs > 0 {
		return
	}
	loops.l = nil
	l.stop.Store(true)
	l.signal()
	<-l.exited
}

func newLoop() (*evloop, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	l := &evloop{ep: ep, wake: -1, buf: make([]byte, 64<<10), events: make([]unix.EpollEvent, 256),
		exited: make(chan struct{})}
	l.timers.fd = -1
	l.wake, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err == nil {
		err = l.watch(l.wake, unix.EPOLLIN)
	}
	if err == nil {
		err = l.timers.init(l)
	}
	if err != nil {
		l.closeAll()
		return nil, fmt.Errorf("event loop: %w", err)
	}
	return l, nil
}

func (l *evloop) watch(fd int, events uint32) error {
	return unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: events, Fd: int32(fd)})
}

// post runs fn on the loop thread, after what was posted before it.
func (l *evloop) post(fn func()) {
	l.mu.Lock()
	l.posted = append(l.posted, fn)
	first := len(l.posted) == 1
	l.mu.Unlock()
	if first {
		l.signal()
	}
}

// do runs fn on the loop thread and waits until it has. Never call it from
// the loop thread, nor while holding a lock the loop takes (c.mu).
func (l *evloop) do(fn func()) {
	done := make(chan struct{})
	l.post(func() {
		defer close(done)
		fn()
	})
	<-done
}

func (l *evloop) signal() {
	one := [8]byte{1}
	_, _ = unix.Write(l.wake, one[:])
}

func (l *evloop) run() {
	// Locked so that the thread's epoll_wait is the loop's: a goroutine
	// that moved between threads would gain nothing, and timer slack and
	// the like stay with the thread.
	runtime.LockOSThread()
	defer close(l.exited)
	defer l.closeAll()
	for !l.serve() {
	}
}

// serve waits for events and serves them until the loop is stopped. A panic
// closes the connection being served, is counted and logged by its proxy,
// and serve returns false so that run calls it again: one deferred recover
// per panic, not per event.
func (l *evloop) serve() (stopped bool) {
	defer func() {
		if r := recover(); r != nil {
			l.recovered(r)
		}
	}()
	for {
		for l.next < l.n {
			ev := l.events[l.next]
			l.next++
			l.dispatch(int(ev.Fd), ev.Events)
		}
		l.runPosted()
		// After the events: stop is set before the eventfd is written, and
		// serving the eventfd's event consumed that write.
		if l.stop.Load() {
			return true
		}
		l.cur = nil
		// An accounted syscall, on purpose. A raw epoll_pwait while a
		// latency hold is pending measured better (a 1 ms fault added
		// 0.98-1.01 ms with one paced client instead of 1.07-1.09: the
		// runtime's exitsyscall wakes sysmon, which then polls every 20 us
		// through the hold), but it keeps this thread's P from every other
		// goroutine of the process for as long as holds are pending (herd
		// and chaos run share the process), and a stop-the-world with
		// asynchronous preemption off would wait for the wait.
		n, err := unix.EpollWait(l.ep, l.events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			panic(fmt.Sprintf("epoll_wait: %v", err)) // EBADF, EFAULT, EINVAL: a bug
		}
		l.next, l.n = 0, n
	}
}

// dispatch serves one event.
func (l *evloop) dispatch(fd int, events uint32) {
	l.cur = nil // set by what serves a connection: a panic elsewhere blames none
	switch {
	case fd == l.wake:
		l.takePosted()
		l.runPosted()
	case fd == l.timers.fd:
		l.timers.fire()
	case fd < len(l.fds) && l.fds[fd].side != nil:
		l.event(l.fds[fd].side, events)
	case fd < len(l.fds) && l.fds[fd].lis != nil:
		l.accept(l.fds[fd].lis)
	}
}

// takePosted takes what other goroutines posted.
func (l *evloop) takePosted() {
	var count [8]byte
	_, _ = unix.Read(l.wake, count[:])
	l.mu.Lock()
	l.running = append(l.running, l.posted...)
	clear(l.posted)
	l.posted = l.posted[:0]
	l.mu.Unlock()
}

// runPosted runs the posted functions taken, in order.
func (l *evloop) runPosted() {
	for l.ran < len(l.running) {
		fn := l.running[l.ran]
		l.running[l.ran] = nil
		l.ran++
		fn()
		l.cur = nil
	}
	l.running, l.ran = l.running[:0], 0
}

// recovered ends what was being served when a panic happened.
func (l *evloop) recovered(r any) {
	lc := l.cur
	l.cur = nil
	if lc == nil {
		// Not in a connection (a posted function, an accept, a timer):
		// log it on the process logger.
		logLoopPanic(r)
		return
	}
	lc.c.p.recovered(r, fmt.Sprintf("event loop serving connection %d", lc.c.id), nil)
	l.closeConn(lc)
}

// logLoopPanic logs a panic the loop recovered outside any connection.
func logLoopPanic(r any) {
	slog.Error("chaos: recovered a panic in the event loop; it goes on", "panic", fmt.Sprint(r), "at", panicSite())
}

// setFD records what descriptor fd is.
func (l *evloop) setFD(fd int, e fdEntry) {
	for fd >= len(l.fds) {
		l.fds = append(l.fds, make([]fdEntry, max(len(l.fds), 1024))...)
	}
	l.fds[fd] = e
}

func (l *evloop) closeAll() {
	for fd, e := range l.fds {
		if e.side != nil || e.lis != nil {
			_ = unix.Close(fd)
		}
	}
	l.fds = nil
	for _, fd := range []int{l.wake, l.timers.fd, l.ep} {
		if fd >= 0 {
			_ = unix.Close(fd)
		}
	}
}
