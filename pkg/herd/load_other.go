//go:build !unix

package herd

import "time"

// processCPU is unknown here: the saturation verdict rests on timer
// lateness alone.
func processCPU() (time.Duration, bool) { return 0, false }
