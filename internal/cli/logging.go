package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
)

// goRedisLogger sends go-redis's internal log lines (one per failed dial
// during an outage) to stderr only with -v, redacted; otherwise nowhere, so
// that errors stay one line.
type goRedisLogger struct{ w io.Writer }

func (l goRedisLogger) Printf(_ context.Context, format string, v ...any) {
	if l.w != nil {
		fmt.Fprintln(l.w, "go-redis: "+redact.String(fmt.Sprintf(format, v...)))
	}
}

func setupLogging(g *Global) {
	if g.Verbose {
		redis.SetLogger(goRedisLogger{w: g.IO.ErrOut})
		return
	}
	redis.SetLogger(goRedisLogger{})
}
