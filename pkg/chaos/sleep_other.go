//go:build !linux

package chaos

import "time"

// preciseSleep has no nanosleep(2) wrapper in package syscall outside
// Linux; a runtime sleep is less precise for short latencies there.
func preciseSleep(d time.Duration) { time.Sleep(d) }
