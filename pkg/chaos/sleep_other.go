//go:build !unix

package chaos

import "time"

func preciseSleep(d time.Duration) { time.Sleep(d) }
