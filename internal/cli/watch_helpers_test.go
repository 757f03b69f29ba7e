package cli

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// watchBuffer is an output that a running command writes while the test
// reads it.
type watchBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *watchBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *watchBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// watchStart runs `rescli args...` in-process with captured streams until
// the returned stop is called; stop returns the command's error.
func watchStart(t *testing.T, args ...string) (out, errOut *watchBuffer, stop func() error) {
	t.Helper()
	out, errOut = &watchBuffer{}, &watchBuffer{}
	g := &Global{IO: IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, Getenv: func(string) string { return "" }}
	root := NewRootCmd(g)
	root.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("watch did not stop within 20s after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return out, errOut, stop
}

// waitFor polls read until re matches or the deadline passes; it returns
// the matching text.
func watchWait(t *testing.T, what string, read func() string, re *regexp.Regexp, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := read()
		if m := re.FindString(s); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no match for %q within %s; got:\n%s", what, re, limit, s)
		}
		time.Sleep(50 * time.Millisecond) // polling an output, not waiting for time to pass
	}
}

// watchBuildRescli builds the rescli binary into a temporary directory.
func watchBuildRescli(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rescli")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/rescli")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// watchNoLeaks checks, after every other cleanup of t has run (processes
// waited for, servers killed), that t left no goroutine behind.
func watchNoLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}
