package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// toxiproxyCLITool is toxiproxy-cli's package. go.mod names it in a tool
// directive, so the go command builds it at the pinned v2.12.0 (the
// version of the Toxiproxy client the other API tests use) and never
// fetches an unpinned one.
const toxiproxyCLITool = "github.com/Shopify/toxiproxy/v2/cmd/cli"

// errNoGoCommand means the tests cannot build toxiproxy-cli at all.
var errNoGoCommand = errors.New("go command not found")

// toxiproxyCLIBinary builds toxiproxy-cli once per test binary: `go tool -n`
// builds the tool into the build cache (downloading the pinned module
// through the module proxy if it is not cached) and prints its path. On a
// clean machine this takes a minute or two; afterwards the cached binary is
// reused.
var toxiproxyCLIBinary = sync.OnceValues(func() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: %v", errNoGoCommand, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, goCmd, "tool", "-n", toxiproxyCLITool)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go tool -n %s: %v\n%s", toxiproxyCLITool, err, stderr.String())
	}
	path := strings.TrimSpace(stdout.String())
	if path == "" {
		return "", fmt.Errorf("go tool -n %s printed no path (stderr: %s)", toxiproxyCLITool, stderr.String())
	}
	return path, nil
})

// toxiproxyCLI drives one API server with the real toxiproxy-cli.
type toxiproxyCLI struct {
	t    *testing.T
	bin  string
	host string
}

func newToxiproxyCLI(t *testing.T, apiURL string) *toxiproxyCLI {
	t.Helper()
	bin, err := toxiproxyCLIBinary()
	if errors.Is(err, errNoGoCommand) {
		t.Skipf("cannot build toxiproxy-cli: %v", err)
	}
	if err != nil {
		t.Fatalf("build toxiproxy-cli: %v", err)
	}
	return &toxiproxyCLI{t: t, bin: bin, host: apiURL}
}

type cliResult struct {
	stdout, stderr string
	code           int
}

// run runs toxiproxy-cli --host <API> args... and returns what it printed
// and its exit status. Its stdout is a pipe, so it prints its plain,
// uncoloured format.
func (c *toxiproxyCLI) run(args ...string) cliResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, c.bin, append([]string{"--host", c.host}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		c.t.Fatalf("toxiproxy-cli %s: %v", strings.Join(args, " "), err)
	}
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// ok runs a command that must succeed, print nothing on stderr and print
// exactly want on stdout.
func (c *toxiproxyCLI) ok(want string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 || r.stderr != "" || r.stdout != want {
		c.t.Fatalf("toxiproxy-cli %s: exit %d\nstdout: %q\nstderr: %q\nwant exit 0 and stdout %q",
			strings.Join(args, " "), r.code, r.stdout, r.stderr, want)
	}
}

// fails runs a command that must exit 1 and say each of want on stderr.
func (c *toxiproxyCLI) fails(args []string, want ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 1 {
		c.t.Errorf("toxiproxy-cli %s: exit %d, want 1\nstdout: %q\nstderr: %q",
			strings.Join(args, " "), r.code, r.stdout, r.stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			c.t.Errorf("toxiproxy-cli %s: stderr %q lacks %q", strings.Join(args, " "), r.stderr, w)
		}
	}
}

// pingTakes times one PING through addr on a fresh go-redis client.
func pingTakes(t *testing.T, addr string) time.Duration {
	t.Helper()
	c := client(t, addr)
	start := time.Now()
	if err := c.Ping(ctx(t)).Err(); err != nil {
		t.Fatalf("PING through %s: %v", addr, err)
	}
	return time.Since(start)
}

// toxiproxy-cli v2.12.0 drives rescli's API unchanged: every command a
// toxiproxy-cli user runs against Toxiproxy does the same here.
func TestToxiproxyCLIDrivesTheAPI(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	cli := newToxiproxyCLI(t, ts.URL)

	cli.ok("", "list") // no proxies: the plain format prints no header
	cli.ok("Created new proxy redis\n", "create", "--listen", "127.0.0.1:0", "--upstream", srv.Addr, "redis")
	p, err := s.Proxy("redis")
	if err != nil {
		t.Fatalf("proxy created by the CLI: %v", err)
	}
	listen := p.Addr()
	if listen == "127.0.0.1:0" || !strings.HasPrefix(listen, "127.0.0.1:") {
		t.Fatalf("listen = %q, want a resolved loopback address", listen)
	}
	row := func(enabled string, toxics int) string {
		return fmt.Sprintf("redis\t%s\t%s\t%s\t%d\n", listen, srv.Addr, enabled, toxics)
	}
	cli.ok(row("enabled", 0), "list")
	cli.ok("", "inspect", "redis") // no toxics
	dialPing(t, listen)

	// A downstream latency toxic delays the replies of a real client.
	const lat = 200 * time.Millisecond
	cli.ok("Added downstream latency toxic 'lat' on proxy 'redis'\n",
		"toxic", "add", "-t", "latency", "-n", "lat", "--downstream", "-a", "latency=200", "redis")
	if tx, err := p.Toxic("lat"); err != nil || tx.Type != "latency" || tx.Stream != StreamDownstream ||
		tx.Toxicity != 1 || tx.Attributes["latency"] != float64(200) {
		t.Fatalf("toxic after add = %+v, %v", tx, err)
	}
	if d := pingTakes(t, listen); d < lat {
		t.Fatalf("PING through a %v latency toxic took %v", lat, d)
	}
	cli.ok(row("enabled", 1), "list")
	cli.ok("lat\ttype=latency\tstream=downstream\ttoxicity=1.00\tattributes=[\tjitter=0\tlatency=200\t]\n",
		"inspect", "redis")

	// toxic update merges attributes; without --toxicity the CLI sends 1.
	cli.ok("Updated toxic 'lat' on proxy 'redis'\n",
		"toxic", "update", "-n", "lat", "-a", "jitter=5", "--toxicity", "0.5", "redis")
	cli.ok("lat\ttype=latency\tstream=downstream\ttoxicity=0.50\tattributes=[\tjitter=5\tlatency=200\t]\n",
		"inspect", "redis")
	cli.ok("Updated toxic 'lat' on proxy 'redis'\n", "toxic", "update", "-n", "lat", "-a", "latency=300", "redis")
	if tx, err := p.Toxic("lat"); err != nil || tx.Toxicity != 1 ||
		tx.Attributes["latency"] != float64(300) || tx.Attributes["jitter"] != float64(5) {
		t.Fatalf("toxic after update = %+v, %v; want toxicity 1, latency 300, jitter 5", tx, err)
	}
	if d := pingTakes(t, listen); d < 300*time.Millisecond-5*time.Millisecond {
		t.Fatalf("PING through the updated 300±5ms latency toxic took %v", d)
	}

	// An unnamed toxic is named <type>_<stream>, as Toxiproxy names it.
	cli.ok("Added upstream slow_close toxic 'slow_close_upstream' on proxy 'redis'\n",
		"toxic", "add", "-t", "slow_close", "--upstream", "-a", "delay=10", "redis")
	cli.ok("lat\ttype=latency\tstream=downstream\ttoxicity=1.00\tattributes=[\tjitter=5\tlatency=300\t]\n"+
		"slow_close_upstream\ttype=slow_close\tstream=upstream\ttoxicity=1.00\tattributes=[\tdelay=10\t]\n",
		"inspect", "redis")
	cli.ok(row("enabled", 2), "list")

	// A rescli fault type with a string attribute: the CLI sends numbers as
	// numbers and everything else as strings. Redis-level faults have no
	// direction, so the CLI prints an empty stream (two spaces).
	cli.ok("Added  error toxic 'error' on proxy 'redis'\n", "toxic", "add", "-t", "error", "-a", "error=LOADING", "redis")
	if err := client(t, listen).Ping(ctx(t)).Err(); err == nil || !strings.HasPrefix(err.Error(), "LOADING ") {
		t.Fatalf("PING with an error=LOADING toxic: %v, want the LOADING error", err)
	}
	cli.ok("Removed toxic 'error' on proxy 'redis'\n", "toxic", "remove", "-n", "error", "redis")

	cli.ok("Removed toxic 'lat' on proxy 'redis'\n", "toxic", "remove", "-n", "lat", "redis")
	cli.ok("Removed toxic 'slow_close_upstream' on proxy 'redis'\n", "toxic", "delete", "-n", "slow_close_upstream", "redis")
	if got := p.Toxics(); len(got) != 0 {
		t.Fatalf("toxics after remove: %+v", got)
	}
	cli.ok("", "inspect", "redis")
	cli.ok(row("enabled", 0), "list")
	pingTakes(t, listen)

	// toggle disables (connections refused, open ones dropped), then enables
	// on the same address.
	open := dialPing(t, listen)
	cli.ok("Proxy redis is now disabled\n", "toggle", "redis")
	if p.Enabled() {
		t.Fatal("proxy still enabled after toggle")
	}
	if !refused(listen) {
		t.Fatal("a proxy toggled off still accepts connections")
	}
	_ = open.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := open.Read(make([]byte, 1)); err == nil {
		t.Fatalf("a connection open through a disabled proxy read %d bytes", n)
	}
	cli.ok(row("disabled", 0), "list")
	cli.ok("Proxy redis is now enabled\n", "toggle", "redis")
	if !p.Enabled() || p.Addr() != listen {
		t.Fatalf("after the second toggle: enabled %v on %s, want enabled on %s", p.Enabled(), p.Addr(), listen)
	}
	dialPing(t, listen)
	pingTakes(t, listen)
	cli.ok(row("enabled", 0), "list")

	cli.ok("Deleted proxy redis\n", "delete", "redis")
	if _, err := s.Proxy("redis"); !errors.Is(err, ErrProxyNotFound) {
		t.Fatalf("proxy after delete: %v", err)
	}
	if !refused(listen) {
		t.Fatal("a deleted proxy still accepts connections")
	}
	cli.ok("", "list")
}

// toxiproxy-cli reports rescli's API errors as it reports Toxiproxy's: exit
// status 1 and the status code with the API's message on stderr.
func TestToxiproxyCLIReportsAPIErrors(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	cli := newToxiproxyCLI(t, ts.URL)
	cli.ok("Created new proxy redis\n", "create", "-l", "127.0.0.1:0", "-u", srv.Addr, "redis")
	cli.ok("Added downstream latency toxic 'lat' on proxy 'redis'\n",
		"toxic", "add", "-t", "latency", "-n", "lat", "-a", "latency=1", "redis")

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"inspect", "nope"}, []string{"Failed to retrieve proxy nope", "HTTP 404"}},
		{[]string{"toggle", "nope"}, []string{"Failed to retrieve proxy nope", "HTTP 404"}},
		{[]string{"delete", "nope"}, []string{"Failed to retrieve proxy nope", "HTTP 404"}},
		{[]string{"create", "-l", "127.0.0.1:0", "-u", srv.Addr, "redis"}, []string{"Failed to create proxy", "HTTP 409"}},
		{[]string{"create", "-l", "127.0.0.1:0", "redis2"}, []string{"Required argument 'upstream' was empty"}},
		{[]string{"toxic", "add", "-t", "nope", "redis"}, []string{"Failed to add toxic", "HTTP 400"}},
		{[]string{"toxic", "add", "-t", "latency", "-a", "latency=slow", "redis"}, []string{"Failed to add toxic", "HTTP 400"}},
		{[]string{"toxic", "add", "-t", "latency", "-n", "lat", "redis"}, []string{"Failed to add toxic", "HTTP 409"}},
		{[]string{"toxic", "add", "-t", "latency", "nope"}, []string{"Failed to add toxic", "HTTP 404"}},
		{[]string{"toxic", "add", "-t", "latency", "--toxicity", "2", "redis"}, []string{"toxicity should be a float between 0 and 1"}},
		{[]string{"toxic", "update", "-n", "nope", "-a", "latency=2", "redis"}, []string{"Failed to update toxic", "HTTP 404"}},
		{[]string{"toxic", "update", "-n", "lat", "-a", "latency=-1", "redis"}, []string{"Failed to update toxic", "HTTP 400"}},
		{[]string{"toxic", "remove", "-n", "nope", "redis"}, []string{"Failed to remove toxic", "HTTP 404"}},
	} {
		cli.fails(tc.args, tc.want...)
	}

	// The failed commands changed nothing.
	p, err := s.Proxy("redis")
	if err != nil {
		t.Fatal(err)
	}
	if tx := p.Toxics(); len(tx) != 1 || tx[0].Name != "lat" || tx[0].Attributes["latency"] != float64(1) {
		t.Fatalf("toxics after failed commands: %+v", tx)
	}
	if len(s.Proxies()) != 1 || !p.Enabled() {
		t.Fatalf("proxies after failed commands: %d, enabled %v", len(s.Proxies()), p.Enabled())
	}
	dialPing(t, p.Addr())
}
