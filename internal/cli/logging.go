package cli

import (
	"context"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
)

// goRedisLog is the logger go-redis gets (one per process, like go-redis's):
// its internal log lines (one per failed dial during an outage) go, redacted,
// to stderr with -v and nowhere without, so that errors stay one line. A
// command that owns the terminal redirects them meanwhile (watch's TUI).
var goRedisLog goRedisLogger

type goRedisLogger struct {
	mu sync.Mutex
	to func(line string) // nil drops the line
}

func (l *goRedisLogger) Printf(_ context.Context, format string, v ...any) {
	line := "go-redis: " + redact.String(fmt.Sprintf(format, v...))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.to != nil {
		l.to(line)
	}
}

// redirect sends every line to to until restore is called, which puts the
// previous destination back. Once restore has returned, to is not called
// again, so it may then close what it writes to.
func (l *goRedisLogger) redirect(to func(line string)) (restore func()) {
	l.mu.Lock()
	prev := l.to
	l.to = to
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.to = prev
		l.mu.Unlock()
	}
}

func setupLogging(g *Global) {
	redis.SetLogger(&goRedisLog)
	var to func(string)
	if g.Verbose {
		w := g.IO.ErrOut
		to = func(line string) { fprintln(w, line) }
	}
	goRedisLog.redirect(to)
}
