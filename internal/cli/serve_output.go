package cli

import (
	"io"
	"log/slog"
	"sync"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/orchestrate"
)

// serveLogger logs to stderr: breaker transitions and warnings always,
// service events with -v. Every string value is redacted.
func serveLogger(g *Global) *slog.Logger {
	level := slog.LevelInfo
	if g.Verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(g.IO.ErrOut, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindString {
				a.Value = slog.StringValue(redact.String(a.Value.String()))
			}
			return a
		},
	}))
}

// lockedWriter serialises writes from the orchestrator's event callback
// and the command.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// serveResult is serve's -o json document, written when it exits.
type serveResult struct {
	URL       string              `json:"url"`
	Startup   *orchestrate.Report `json:"startup,omitempty"`
	Signal    string              `json:"signal,omitempty"`
	StartErr  string              `json:"start_error,omitempty"`
	StopError string              `json:"stop_error,omitempty"`
}

func writeServeJSON(w io.Writer, url string, res lifecycle) error {
	doc := serveResult{URL: url, Startup: res.report, Signal: res.signal,
		StartErr: errText(res.startErr), StopError: errText(res.stopErr)}
	return printEvent(w, schemaServe, doc) // one line: a log reader takes it whole
}
