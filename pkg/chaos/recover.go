package chaos

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
)

// The last guard. Validation keeps every value a fault can be given inside
// what the data path handles, but a bug (in a fault type, or in the proxy)
// must not take every connection down with it: each goroutine a connection,
// a fault or the API starts recovers a panic, ends only what it served (the
// connection, the fault's run, the request), counts it in the stats and
// /metrics, and logs one line naming where it happened. One deferred
// recover per goroutine, never per chunk: the data path costs the same.

// recovered handles a recovered panic value r (nil: no panic) of the
// goroutine doing what, then calls undo.
func (p *Proxy) recovered(r any, what string, undo func()) {
	if r == nil {
		return
	}
	p.stats.panics.Add(1)
	p.opts.log.Error("chaos: recovered a panic; "+what+" ended, the proxy goes on",
		"proxy", p.name, "panic", fmt.Sprint(r), "at", panicSite())
	if undo != nil {
		undo()
	}
}

// guardConn is deferred first in every goroutine of connection c: a panic
// closes that connection only.
func (c *conn) guard(what string) {
	r := recover()
	if r == nil { // the common case costs nothing: no formatting, no closure
		return
	}
	c.p.recovered(r, fmt.Sprintf("%s of connection %d", what, c.id), c.close)
}

// recoverAPI answers 500 to a request whose handler panicked, instead of
// the bare connection reset net/http would give, and counts it.
func (s *Server) recoverAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // net/http's own sentinel, re-panicked as it asks
				panic(v)
			}
			s.apiPanics.Add(1)
			s.opts.log.Error("chaos: recovered a panic in the control API", "method", r.Method,
				"path", r.URL.Path, "panic", fmt.Sprint(v), "at", panicSite())
			writeJSON(w, http.StatusInternalServerError, APIError{
				Message: "internal error (a bug: the request was not carried out; see the proxy's log)",
				Status:  http.StatusInternalServerError})
		}()
		next.ServeHTTP(w, r)
	})
}

// panicSite is the frame that panicked, the first outside the runtime
// below runtime.gopanic on the recovering goroutine's stack, as
// "file.go:123 (pkg.Func)": enough to find the bug in one log line.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return fmt.Sprintf("%s:%d (%s)", trimPath(f.File), f.Line, f.Function)
		}
		if !more {
			return "unknown"
		}
	}
}

// trimPath keeps a file's last directory and name.
func trimPath(file string) string {
	if i := strings.LastIndex(file, "/"); i >= 0 {
		if j := strings.LastIndex(file[:i], "/"); j >= 0 {
			return file[j+1:]
		}
	}
	return file
}
