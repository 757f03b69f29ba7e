//go:build linux

package chaos

import (
	"syscall"
	"time"
)

// preciseSleep blocks this goroutine's thread in nanosleep(2): microsecond
// precision where runtime timers have millisecond precision when idle.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
