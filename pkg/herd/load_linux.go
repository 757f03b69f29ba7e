//go:build linux

package herd

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// runDelay is how long this process's threads waited for a CPU while
// runnable, summed over its threads (/proc/self/task/*/schedstat, second
// field): the CPU it wanted and did not get, from other processes or from
// its own threads outnumbering the cores.
func runDelay() (time.Duration, bool) {
	files, err := filepath.Glob("/proc/self/task/*/schedstat")
	if err != nil || len(files) == 0 {
		return 0, false
	}
	var sum int64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited
		}
		fields := bytes.Fields(b)
		if len(fields) < 2 {
			return 0, false
		}
		ns, err := strconv.ParseInt(string(fields[1]), 10, 64)
		if err != nil {
			return 0, false
		}
		sum += ns
	}
	return time.Duration(sum), true
}
