package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
)

// syncBuffer is an io.Writer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut syncBuffer
	code = Main(args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

func TestChaosProxyFlags(t *testing.T) {
	g := &Global{Getenv: func(string) string { return "" }}
	cmd := newChaosProxyCmd(g)
	if err := cmd.ParseFlags([]string{"--listen", "127.0.0.1:0", "--upstream", "redis://:pw@h:7000",
		"--toxic", "latency,latency=5", "--toxic", "maxclients,limit=3", "--seed", "9", "--api", "off"}); err != nil {
		t.Fatal(err)
	}
	f := cmd.Flags()
	toxics, _ := f.GetStringArray("toxic")
	seed, _ := f.GetUint64("seed")
	if len(toxics) != 2 || toxics[1] != "maxclients,limit=3" || seed != 9 {
		t.Fatalf("toxics %q seed %d", toxics, seed)
	}
	addr, err := chaosUpstreamAddr("redis://:pw@h:7000")
	if err != nil || addr != "h:7000" {
		t.Fatalf("upstream from a URL = %q, %v", addr, err)
	}
	if addr, _ := chaosUpstreamAddr("redis://h"); addr != "h:6379" {
		t.Fatalf("upstream default port: %q", addr)
	}
}

// startChaosProxy runs `rescli chaos proxy` in-process until the test ends
// and returns the proxy and API addresses.
func startChaosProxy(t *testing.T, upstream string, toxics ...string) (proxy, api string) {
	t.Helper()
	var out syncBuffer
	g := &Global{Output: "table", Getenv: func(string) string { return "" },
		IO: IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: io.Discard}}
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
		if !strings.Contains(out.String(), "listening on "+addrs[0]) {
			t.Errorf("announcement %q lacks the address", out.String())
		}
		return addrs[0], addrs[1]
	case err := <-done:
		t.Fatalf("chaos proxy exited: %v", err)
	}
	return "", ""
}

func TestChaosProxyWithToxicsAndTheToxicCommands(t *testing.T) {
	srv := redistest.Start(t)
	proxy, api := startChaosProxy(t, srv.Addr, "error,name=ro,error=OOM,command=set")

	// The command-line fault exists before the first connection.
	nc, err := net.Dial("tcp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte("SET k v\r\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := nc.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "-OOM ") {
		t.Fatalf("first SET through the proxy: %q, want -OOM", buf[:n])
	}

	out, errOut, code := runCLI(t, nil, "chaos", "toxic", "add", "redis", "--api", api, "-t", "latency", "-n", "lat", "-a", "latency=5", "-s", "both")
	if code != 0 || !strings.Contains(out, "lat") || !strings.Contains(out, `"latency":5`) {
		t.Fatalf("toxic add: code %d out %q err %q", code, out, errOut)
	}
	out, _, code = runCLI(t, map[string]string{envChaosAPI: api}, "chaos", "toxic", "update", "redis", "-n", "lat", "-a", "latency=9", "--toxicity", "0.5")
	if code != 0 || !strings.Contains(out, `"latency":9`) || !strings.Contains(out, "0.5") {
		t.Fatalf("toxic update: code %d out %q", code, out)
	}
	out, _, code = runCLI(t, nil, "chaos", "toxic", "ls", "--api", api, "-o", "json")
	var rows map[string][]chaos.Toxic
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows["redis"]) != 2 || rows["redis"][0].Injected != 1 {
		t.Fatalf("toxic ls -o json: code %d out %q", code, out)
	}
	if _, _, code := runCLI(t, nil, "chaos", "toxic", "rm", "redis", "-n", "lat", "--api", api); code != 0 {
		t.Fatalf("toxic rm: exit %d", code)
	}
	out, _, code = runCLI(t, nil, "chaos", "proxies", "ls", "--api", api)
	if code != 0 || !strings.Contains(out, proxy) || !strings.Contains(out, srv.Addr) {
		t.Fatalf("proxies ls: code %d out %q", code, out)
	}
}

func TestChaosCommandErrors(t *testing.T) {
	srv := redistest.Start(t)
	_, api := startChaosProxy(t, srv.Addr)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAPI := dead.Addr().String()
	_ = dead.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{"chaos", "toxic", "add", "redis", "--api", api, "-t", "nope"}, "invalid toxic type"},
		{"bad attribute", []string{"chaos", "toxic", "add", "redis", "--api", api, "-t", "latency", "-a", "latency=-1"}, "want 0–86400000 ms"},
		{"no such proxy", []string{"chaos", "toxic", "rm", "nope", "-n", "x", "--api", api}, "404"},
		{"API down", []string{"chaos", "proxies", "ls", "--api", deadAPI}, "connection refused"},
		{"no upstream", []string{"chaos", "proxy", "--api", "off"}, "--upstream is required"},
		{"bad toxic flag", []string{"chaos", "proxy", "--upstream", srv.Addr, "--listen", "127.0.0.1:0", "--api", "off", "--toxic", "latency,oops"}, "not key=value"},
		{"password redacted", []string{"chaos", "proxy", "--upstream", "redis://:s3cret@127.0.0.1:1", "--listen", "127.0.0.1:0", "--api", "off", "--toxic", "nope"}, "invalid toxic type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tc.args...)
			if code != ExitError || out != "" {
				t.Fatalf("exit %d stdout %q, want exit 2 and nothing on stdout", code, out)
			}
			if !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "s3cret") {
				t.Fatalf("stderr %q, want one line with %q", errOut, tc.want)
			}
		})
	}
}
