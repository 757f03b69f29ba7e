package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// goRedisPrintf logs a line as go-redis does, through its global logger.
func goRedisPrintf(format string, v ...any) { goRedisLog.Printf(context.Background(), format, v...) }

func TestGoRedisLogGoesToStderrOnlyWithVerbose(t *testing.T) {
	t.Cleanup(goRedisLog.redirect(nil))
	var errOut bytes.Buffer
	setupLogging(&Global{IO: IOStreams{ErrOut: &errOut}})
	goRedisPrintf("dial %s: refused", "redis://:hunter2@10.0.0.1:6379")
	if errOut.Len() != 0 {
		t.Errorf("without -v: %q", errOut.String())
	}
	setupLogging(&Global{Verbose: true, IO: IOStreams{ErrOut: &errOut}})
	goRedisPrintf("dial %s: refused", "redis://:hunter2@10.0.0.1:6379")
	if got := errOut.String(); !strings.HasPrefix(got, "go-redis: dial redis://") || strings.Contains(got, "hunter2") {
		t.Errorf("with -v: %q, want a redacted go-redis line", got)
	}
}

func TestCaptureGoRedisLogRestores(t *testing.T) {
	t.Cleanup(goRedisLog.redirect(nil))
	var before, file bytes.Buffer
	setupLogging(&Global{Verbose: true, IO: IOStreams{ErrOut: &before}})
	// Given the TUI's capture, with stderr redirected to a file
	lines, stop := captureGoRedisLog(&file, 2)
	// When go-redis logs more lines than the screen's buffer holds
	for _, s := range []string{"10.0.0.1", "10.0.0.2", "u:hunter2@10.0.0.3"} {
		goRedisPrintf("dial redis://%s:6379: refused", s)
	}
	// Then none reaches the old stderr, the file gets all, redacted, and the
	// screen the first two: a full buffer drops lines, it never blocks go-redis
	if before.Len() != 0 {
		t.Errorf("stderr while captured: %q", before.String())
	}
	if got := file.String(); strings.Count(got, "go-redis: ") != 3 || strings.Contains(got, "hunter2") {
		t.Errorf("file: %q", got)
	}
	for _, want := range []string{"go-redis: dial redis://10.0.0.1:6379: refused", "go-redis: dial redis://10.0.0.2:6379: refused"} {
		if got := <-lines; got.Text != want || time.Since(got.At) > time.Minute {
			t.Errorf("line %+v, want %q now", got, want)
		}
	}
	// When the capture stops, the channel is closed and lines go where they went before
	stop()
	if _, open := <-lines; open {
		t.Error("channel still open after stop")
	}
	goRedisPrintf("after")
	if before.String() != "go-redis: after\n" || strings.Contains(file.String(), "after") {
		t.Errorf("after stop: stderr %q, file %q", before.String(), file.String())
	}
}

func TestCaptureLogsNeedsVerbose(t *testing.T) {
	o := &watchOptions{g: &Global{IO: IOStreams{ErrOut: &bytes.Buffer{}}}}
	lines, stop := o.captureLogs()
	defer stop()
	if lines != nil {
		t.Error("a log channel without -v")
	}
}

// TestWatchPlainVerboseLogsToStderr: without a terminal, -v keeps writing
// go-redis's lines to stderr, as before the TUI's capture existed.
func TestWatchPlainVerboseLogsToStderr(t *testing.T) {
	watchNoLeaks(t)
	srv := redistest.Start(t)
	out, errOut, stop := watchStart(t, "watch", "-v", "--redis-url", srv.URL(), "--rate", "20", "--refresh", "100ms",
		"--timeout", "300ms", "--open-timeout", "300ms", "--max-open-timeout", "600ms")
	watchWait(t, "first summary", out.String, regexp.MustCompile(`redis state=CLOSED`), 10*time.Second)
	srv.Kill()
	watchWait(t, "go-redis line on stderr", errOut.String,
		regexp.MustCompile(`(?m)^go-redis: redis: connection pool: failed to dial .*connection refused$`), 10*time.Second)
	// back up before stopping, once open: go-redis's redial goroutine then ends at once
	watchWait(t, "open", out.String, regexp.MustCompile(`redis CLOSED → OPEN`), 15*time.Second)
	srv.Restart()
	watchWait(t, "closed", out.String, regexp.MustCompile(`redis HALF_OPEN → CLOSED`), 20*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "go-redis") {
		t.Errorf("go-redis line on stdout:\n%s", out.String())
	}
}
