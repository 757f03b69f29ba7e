//go:build !linux

package herd

import "time"

// runDelay is known on Linux only.
func runDelay() (time.Duration, bool) { return 0, false }
