package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
	proxy, api, out := startChaosProxyEnv(t, upstream, nil, toxics...)
	if !strings.Contains(out.String(), "listening on "+proxy) {
		t.Errorf("announcement %q lacks the address", out.String())
	}
	return proxy, api
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
	var doc chaosToxicsDoc
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Toxics) != 2 || doc.Toxics[0].Proxy != "redis" || doc.Toxics[0].Injected != 1 {
		t.Fatalf("toxic ls -o json: code %d out %q", code, out)
	}
	if _, _, code := runCLI(t, nil, "chaos", "toxic", "rm", "redis", "-n", "lat", "--api", api); code != 0 {
		t.Fatalf("toxic rm: exit %d", code)
	}
	out, _, code = runCLI(t, nil, "chaos", "proxies", "ls", "--api", api)
	if code != 0 || !strings.Contains(out, proxy) || !strings.Contains(out, srv.Addr) || !strings.Contains(out, "LATE p50/p99") {
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
		{"API down", []string{"chaos", "proxies", "ls", "--api", deadAPI}, "no chaos control API answers at http://" + deadAPI},
		{"API down: how to point elsewhere", []string{"chaos", "toxic", "ls", "--api", deadAPI}, "give its address with --api or RESCLI_CHAOS_API"},
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

// toxic update takes the name toxic add gave, for a byte fault
// (TYPE_STREAM) and a Redis-level one (TYPE): its own example once named an
// error fault error_downstream and got 404.
func TestToxicUpdateTakesTheNamesAddGives(t *testing.T) {
	srv := redistest.Start(t)
	_, api := startChaosProxy(t, srv.Addr)
	for _, tc := range []struct{ typ, attr, name string }{
		{"latency", "latency=5", "latency_downstream"},
		{"error", "error=LOADING", "error"},
	} {
		if _, errOut, code := runCLI(t, nil, "chaos", "toxic", "add", "redis", "--api", api, "-t", tc.typ, "-a", tc.attr); code != 0 {
			t.Fatalf("add %s: %s", tc.typ, errOut)
		}
		if _, errOut, code := runCLI(t, nil, "chaos", "toxic", "update", "redis", "--api", api, "-n", tc.name, "--toxicity", "0.5"); code != 0 {
			t.Errorf("update %s by the name add gave (%s): %s", tc.typ, tc.name, errOut)
		}
	}
	cmd := newToxicUpdateCmd(&Global{Getenv: func(string) string { return "" }})
	for _, line := range exampleLines(cmd.Example) {
		if strings.Contains(line, "error_") {
			t.Errorf("example %q names an error fault as a byte fault", line)
		}
	}
}

// proxies create, disable, enable, delete and reset do what toxiproxy-cli's
// do, against a running API.
func TestProxiesCommandsManageProxies(t *testing.T) {
	srv := redistest.Start(t)
	_, api := startChaosProxy(t, srv.Addr)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := runCLI(t, nil, append(append([]string{"chaos", "proxies"}, args...), "--api", api, "-o", "json")...)
		if code != 0 {
			t.Fatalf("proxies %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	var created chaosProxyDoc
	if err := json.Unmarshal([]byte(run("create", "cache", "--upstream", srv.Addr)), &created); err != nil || !created.Proxy.Enabled {
		t.Fatalf("create: %+v %v", created, err)
	}
	ping := func() error {
		c := redis.NewClient(&redis.Options{Addr: created.Proxy.Listen, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second})
		defer c.Close()
		return c.Ping(context.Background()).Err()
	}
	if err := ping(); err != nil {
		t.Fatalf("PING through the new proxy: %v", err)
	}
	run("disable", "cache")
	if err := ping(); err == nil {
		t.Error("a disabled proxy let a PING through")
	}
	run("enable", "cache")
	if err := ping(); err != nil {
		t.Errorf("PING after enable: %v", err)
	}
	if _, _, code := runCLI(t, nil, "chaos", "toxic", "add", "cache", "--api", api, "-t", "latency", "-a", "latency=1"); code != 0 {
		t.Fatal("toxic add")
	}
	var after chaosProxiesDoc
	if err := json.Unmarshal([]byte(run("reset")), &after); err != nil {
		t.Fatal(err)
	}
	for _, p := range after.Proxies {
		if len(p.Toxics) != 0 || !p.Enabled {
			t.Errorf("after reset: %+v", p)
		}
	}
	if err := json.Unmarshal([]byte(run("delete", "cache")), &after); err != nil || len(after.Proxies) != 1 {
		t.Errorf("after delete: %+v %v", after, err)
	}
}

func TestLateCell(t *testing.T) {
	for _, tc := range []struct {
		in   chaos.Lateness
		want string
	}{
		{chaos.Lateness{}, "-"},
		{chaos.Lateness{Held: 3, P50Micros: 25, P99Micros: 1000}, "≤25µs/≤1ms"},
		{chaos.Lateness{Held: 3, P50Micros: 100, P99Micros: -1}, "≤100µs/>100ms"},
	} {
		if got := lateCell(tc.in); got != tc.want {
			t.Errorf("lateCell(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
