package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/rescli/rescli/pkg/orchestrate"
)

// lifecycle is how a serve run went.
type lifecycle struct {
	report   *orchestrate.Report
	signal   string // the signal that stopped it, if any
	startErr error
	stopErr  error
}

// serveLifecycle is orchestrate.Serve with a report printed in between:
// start-up, wait for ctx or SIGINT/SIGTERM, stop in reverse order.
func serveLifecycle(ctx context.Context, app *serveApp, signals orchestrate.SignalSource, out io.Writer) lifecycle {
	sctx, stop := orchestrate.NotifyContext(ctx, signals, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := app.orch.Run(sctx)
	res := lifecycle{report: rep, startErr: err}
	if rep != nil {
		fmt.Fprint(out, rep.String())
	}
	var sig *orchestrate.SignalError
	if err != nil {
		if errors.As(context.Cause(sctx), &sig) { // asked to stop: not a failure
			res.signal, res.startErr = signalName(sig.Signal), nil
			fmt.Fprintf(out, "received %s during start-up: started services stopped in reverse order\n", res.signal)
		}
		return res
	}
	fmt.Fprintln(out, "serving; SIGINT or SIGTERM stops")
	<-sctx.Done()
	if errors.As(context.Cause(sctx), &sig) {
		res.signal = signalName(sig.Signal)
		fmt.Fprintf(out, "received %s: stopping services in reverse order\n", res.signal)
	} else {
		fmt.Fprintln(out, "stopping services in reverse order")
	}
	res.stopErr = app.orch.Stop(context.WithoutCancel(ctx))
	return res
}

// listenHTTP binds --listen, serves h there and writes --addr-file. It
// returns the base URL and a func that shuts the server down, letting
// in-flight requests finish, briefly.
func listenHTTP(o *serveOptions, h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return "", nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	closeFn := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		<-served
	}
	if o.AddrFile != "" {
		if err := writeFileAtomic(o.AddrFile, base+"\n"); err != nil {
			closeFn()
			return "", nil, fmt.Errorf("write --addr-file: %w", err)
		}
	}
	return base, closeFn, nil
}

// writeFileAtomic writes through a temporary file and a rename, so that a
// script polling for the file never reads half of it.
func writeFileAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
