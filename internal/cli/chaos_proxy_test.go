package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

const chaosToken = "tok-chaos-Q7w"

// startChaosProxyEnv runs `rescli chaos proxy` in-process with env and
// toxics until the test ends; it returns the proxy and API addresses and
// what the command printed.
func startChaosProxyEnv(t *testing.T, upstream string, env map[string]string, toxics ...string) (proxy, api string, out *syncBuffer) {
	t.Helper()
	out = &syncBuffer{}
	g := &Global{Output: "table", Getenv: func(k string) string { return env[k] },
		IO: IOStreams{In: strings.NewReader(""), Out: out, ErrOut: out}}
	ready := make(chan [2]string, 1)
	o := &chaosProxyOptions{g: g, name: "redis", listen: "127.0.0.1:0", upstream: upstream, api: "127.0.0.1:0",
		toxics: toxics, seed: 1, ready: func(p, a string) { ready <- [2]string{p, a} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("chaos proxy: %v", err)
		}
	})
	select {
	case addrs := <-ready:
		return addrs[0], addrs[1], out
	case err := <-done:
		t.Fatalf("chaos proxy exited: %v", err)
	}
	return "", "", nil
}

// With RESCLI_CHAOS_API_TOKEN set, the API refuses requests without the
// token (401) or with a wrong one (403); the client commands and the
// completion of proxy names send it from the same variable.
func TestChaosAPITokenFromTheEnvironment(t *testing.T) {
	srv := redistest.Start(t)
	_, api, out := startChaosProxyEnv(t, srv.Addr, map[string]string{envChaosAPIToken: chaosToken})
	if !strings.Contains(out.String(), "(token required)") || strings.Contains(out.String(), chaosToken) {
		t.Fatalf("announcement %q: want the token required and never shown", out.String())
	}
	_, errOut, code := runCLI(t, nil, "chaos", "proxies", "ls", "--api", api)
	if code != ExitError || !strings.Contains(errOut, "401") || !strings.Contains(errOut, envChaosAPIToken) {
		t.Fatalf("without the token: exit %d stderr %q, want 2 naming %s", code, errOut, envChaosAPIToken)
	}
	_, errOut, code = runCLI(t, map[string]string{envChaosAPIToken: "wrong"}, "chaos", "toxic", "ls", "--api", api)
	if code != ExitError || !strings.Contains(errOut, "403") || strings.Contains(errOut, chaosToken) {
		t.Fatalf("wrong token: exit %d stderr %q", code, errOut)
	}
	env := map[string]string{envChaosAPIToken: chaosToken, envChaosAPI: api}
	for _, args := range [][]string{
		{"chaos", "toxic", "add", "redis", "-t", "latency", "-n", "lat", "-a", "latency=1"},
		{"chaos", "toxic", "update", "redis", "-n", "lat", "-a", "latency=2"},
		{"chaos", "toxic", "ls"},
		{"chaos", "proxies", "ls"},
		{"chaos", "toxic", "rm", "redis", "-n", "lat"},
	} {
		if _, errOut, code := runCLI(t, env, args...); code != 0 {
			t.Fatalf("%s with the token: exit %d %s", strings.Join(args, " "), code, errOut)
		}
	}
	stdout, _, _ := runCLI(t, env, "__complete", "chaos", "toxic", "rm", "")
	if !strings.HasPrefix(stdout, "redis\n") {
		t.Fatalf("completion with the token: %q", stdout)
	}
}

// An API that would listen beyond loopback without a token is refused
// (exit 2, naming the ways out); --api-insecure allows it with a warning.
func TestChaosAPIBeyondLoopbackNeedsATokenOrInsecure(t *testing.T) {
	srv := redistest.Start(t)
	args := []string{"chaos", "proxy", "--upstream", srv.Addr, "--listen", "127.0.0.1:0", "--api", "0.0.0.0:0"}
	out, errOut, code := runCLI(t, nil, args...)
	if code != ExitError || out != "" || !strings.Contains(errOut, envChaosAPIToken) || !strings.Contains(errOut, "--api-insecure") {
		t.Fatalf("open API: exit %d stdout %q stderr %q", code, out, errOut)
	}

	var buf syncBuffer
	g := &Global{Output: "table", Getenv: func(string) string { return "" },
		IO: IOStreams{In: strings.NewReader(""), Out: &buf, ErrOut: &buf}}
	o := &chaosProxyOptions{g: g, name: "redis", listen: "127.0.0.1:0", upstream: srv.Addr, api: "0.0.0.0:0",
		insecure: true, seed: 1}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // start, announce, stop at once
	if err := o.run(ctx); err != nil {
		t.Fatalf("--api-insecure: %v", err)
	}
	if !strings.Contains(buf.String(), "warning: the control API on ") || !strings.Contains(buf.String(), "forward anywhere") {
		t.Fatalf("--api-insecure printed %q, want the warning", buf.String())
	}
	// A token makes any address acceptable, without a warning.
	buf = syncBuffer{}
	o.insecure, o.apiToken = false, chaosToken
	if err := o.run(ctx); err != nil || strings.Contains(buf.String(), "warning") {
		t.Fatalf("with a token: %v, %q", err, buf.String())
	}
}

// A --toxic value out of its range exits 2 with the range in the message.
func TestChaosProxyToxicOutOfRange(t *testing.T) {
	for spec, want := range map[string]string{
		"latency,latency=10000000000000":   "0–86400000 ms",
		"bandwidth,rate=18014398509481984": "1–1073741824 KB/s",
		"latency,toxicity=NaN":             "toxicity",
		"error,message=ERR a\rb":           "one line",
	} {
		_, errOut, code := runCLI(t, nil, "chaos", "proxy", "--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:0",
			"--api", "off", "--toxic", spec)
		if code != ExitError || !strings.Contains(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("--toxic %q: exit %d stderr %q, want 2 naming %q", spec, code, errOut, want)
		}
	}
}

// Every termination signal stops a real `rescli chaos proxy`: it exits
// 128+signal and its listener is gone (SIGHUP once left it exiting 129 by
// the runtime's default, SIGQUIT dumped goroutines).
func TestChaosProxyStopsOnEverySignal(t *testing.T) {
	bin, err := exec.LookPath("rescli")
	if err != nil {
		t.Skipf("rescli not on PATH: %v", err)
	}
	srv := redistest.Start(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "chaos", "proxy", "-o", "json", "--upstream", srv.Addr, "--listen", "127.0.0.1:0",
				"--api", "127.0.0.1:0", "--toxic", "latency,latency=1")
			cmd.Env = os.Environ()
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var raw json.RawMessage
			if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&raw); err != nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("announcement: %v", err)
			}
			var announced chaosProxyDoc
			var v any
			_ = json.Unmarshal(raw, &announced)
			_ = json.Unmarshal(raw, &v)
			if err := compileSchema(t, schemaChaosProxy).Validate(v); err != nil {
				t.Errorf("the announcement does not validate: %v\n%s", err, raw)
			}
			nc, err := net.Dial("tcp", announced.Proxy.Listen)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running 20 s after %s", sig)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) {
				t.Fatalf("after %s: %v, want exit %d", sig, err, 128+int(sig))
			}
			if c, err := net.DialTimeout("tcp", announced.Proxy.Listen, time.Second); err == nil {
				_ = c.Close()
				t.Fatalf("the proxy still listens after %s", sig)
			}
			_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := nc.Read(make([]byte, 1)); err == nil {
				t.Fatalf("an open connection survived %s", sig)
			}
		})
	}
}
