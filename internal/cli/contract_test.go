package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/chaos"
)

// leafCommands are the commands a user runs (not the groups, not help).
func leafCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" {
			return
		}
		if !c.HasSubCommands() {
			out = append(out, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// contractEnv is what the cheap runs of the contract test talk to: a real
// redis-server, a chaos control API with a proxy "redis" in front of it, a
// state directory and a scenario file.
type contractEnv struct {
	redisURL, api, state, scenario string
	config                         string // XDG_CONFIG_HOME, with a rescli/config.yaml of one context
	toxicAPI                       string // another API, for the toxic commands (proxies reset clears faults)
}

func newContractEnv(t *testing.T) contractEnv {
	t.Helper()
	srv := redistest.Start(t)
	cs := chaos.NewServer()
	t.Cleanup(func() { _ = cs.Close() })
	// A proxy for each command that changes one, so that the order the
	// subtests run in does not matter.
	for _, name := range []string{"redis", "to-disable", "to-enable", "to-delete"} {
		if _, err := cs.CreateProxy(chaos.ProxyConfig{Name: name, Listen: "127.0.0.1:0", Upstream: srv.Addr}); err != nil {
			t.Fatal(err)
		}
	}
	ts := chaos.NewServer()
	t.Cleanup(func() { _ = ts.Close() })
	p, err := ts.CreateProxy(chaos.ProxyConfig{Name: "redis", Listen: "127.0.0.1:0", Upstream: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"to-update", "to-remove"} {
		if _, err := p.AddToxic(chaos.Toxic{Name: name, Type: "latency", Stream: chaos.StreamDownstream, Toxicity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	toxicAPI := httptest.NewServer(ts.Handler())
	t.Cleanup(toxicAPI.Close)
	api := httptest.NewServer(cs.Handler())
	t.Cleanup(api.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	if err := os.MkdirAll(filepath.Join(cfg, "rescli"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "rescli", "config.yaml"), []byte("current-context: local\ncontexts:\n  - name: local\n    url: "+srv.URL()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(file, []byte(matrixScenarioFile), 0o600); err != nil {
		t.Fatal(err)
	}
	return contractEnv{redisURL: srv.URL(), api: strings.TrimPrefix(api.URL, "http://"), state: filepath.Join(dir, "state"), scenario: file, config: cfg,
		toxicAPI: strings.TrimPrefix(toxicAPI.URL, "http://")}
}

// jsonRun is a cheap way to make a command print its JSON: the arguments
// after "rescli", and the schema when it is not the command's own.
type jsonRun struct {
	args   []string
	schema string
	// code is the exit code to expect (a run that reports a failure still
	// prints its document).
	code int
}

// jsonRuns lists, for every command that prints JSON, how the contract
// test makes it print some. A command that gains -o json without an entry
// here fails the test.
func jsonRuns(e contractEnv) map[string][]jsonRun {
	api := []string{"--api", e.api}
	with := func(args ...string) []string { return append(args, api...) }
	toxic := func(args ...string) []string {
		return append(append([]string{"chaos", "toxic"}, args...), "--api", e.toxicAPI)
	}
	return map[string][]jsonRun{
		"rescli version":               {{args: []string{"version"}}},
		"rescli verify":                {{args: []string{"verify", "--redis-url", e.redisURL, "--checks", "connectivity,latency"}}, {args: []string{"verify", "--list-checks"}, schema: schemaVerifyChecks}},
		"rescli health":                {{args: []string{"health", "--service", "http://127.0.0.1:1", "--timeout", "200ms"}, code: ExitCheckFailed}},
		"rescli herd":                  {{args: []string{"herd", "--services", "4", "--steady", "50ms"}}},
		"rescli herd backoff":          {{args: []string{"herd", "backoff", "--redis-url", e.redisURL, "--clients", "4"}}},
		"rescli chaos inject":          {{args: []string{"chaos", "inject", "maxclients", "77", "--duration", "1s", "--redis-url", e.redisURL, "--allow", "127.0.0.1", "--dry-run"}}},
		"rescli chaos revert":          {{args: []string{"chaos", "revert"}}},
		"rescli chaos run":             {{args: []string{"chaos", "run", e.scenario, "--redis-url", e.redisURL, "--dry-run"}, schema: schemaChaosPlan}},
		"rescli chaos toxic ls":        {{args: toxic("ls")}},
		"rescli chaos toxic add":       {{args: toxic("add", "redis", "-t", "latency", "-a", "latency=1")}},
		"rescli chaos toxic update":    {{args: toxic("update", "redis", "-n", "to-update", "-a", "latency=2")}},
		"rescli chaos toxic rm":        {{args: toxic("rm", "redis", "-n", "to-remove")}},
		"rescli chaos proxies ls":      {{args: with("chaos", "proxies", "ls")}},
		"rescli chaos proxies create":  {{args: with("chaos", "proxies", "create", "created", "--upstream", "127.0.0.1:1")}},
		"rescli chaos proxies disable": {{args: with("chaos", "proxies", "disable", "to-disable")}},
		"rescli chaos proxies enable":  {{args: with("chaos", "proxies", "enable", "to-enable")}},
		"rescli chaos proxies delete":  {{args: with("chaos", "proxies", "delete", "to-delete")}},
		"rescli chaos proxies reset":   {{args: with("chaos", "proxies", "reset")}},
		"rescli watch":                 {{args: []string{"watch", "--duration", "700ms", "--refresh", "200ms", "--summary", "200ms"}}},
		"rescli config list":           {{args: []string{"config", "list"}}},
		"rescli config show":           {{args: []string{"config", "show"}}},
		"rescli config use":            {{args: []string{"config", "use", "local"}}},
		"rescli config path":           {{args: []string{"config", "path"}}},
		"rescli chaos proxy":           nil, // runs until a signal: its document is checked in TestChaosProxyStopsOnEverySignal
		"rescli serve":                 nil, // runs until a signal: its document is checked in TestServeJSONDocument
		"rescli herd merge":            nil, // needs the partial reports of a split herd: checked in TestSplitHerdOverFourProcessesMerges
		"rescli herd observe":          nil, // waits for a split herd's schedule: checked in TestSplitHerdOverFourProcessesMerges
		"rescli dev":                   nil, // starts a deployment: its document is checked in TestDevRunsUntilCancelledThenTearsDown
	}
}

// TestEveryCommandKeepsTheContract walks the command tree. For every
// command a user runs: each line of its examples parses with its real
// flags and argument rules; a wrong flag and a missing argument are one
// line on stderr naming the problem, with an example, exit 2; -o json
// prints exactly one document (or NDJSON, for a stream) that validates
// against docs/schemas, and a command without JSON output refuses -o json.
func TestEveryCommandKeepsTheContract(t *testing.T) {
	root := NewRootCmd(&Global{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }})
	leaves := leafCommands(root)
	if len(leaves) < 20 {
		t.Fatalf("found %d commands", len(leaves))
	}
	e := newContractEnv(t)
	runs := jsonRuns(e)
	for _, c := range leaves {
		path := c.CommandPath()
		t.Run(strings.TrimPrefix(path, "rescli "), func(t *testing.T) {
			checkExamples(t, c)
			checkBadFlag(t, e, path)
			checkMissingArg(t, e, c)
			kind := c.Annotations[annotJSON]
			r, listed := runs[path]
			switch {
			case kind == "" && listed:
				t.Errorf("%s is listed in jsonRuns but prints no JSON", path)
			case kind == "":
				checkRefusesJSON(t, e, c)
			case !listed:
				t.Errorf("%s prints JSON (%s): add a cheap run of it to jsonRuns", path, c.Annotations[annotSchema])
			}
			for _, run := range r {
				schema := cmp.Or(run.schema, c.Annotations[annotSchema])
				checkJSON(t, e, run, schema, kind == "stream")
			}
		})
	}
}

// contractRun runs rescli in-process with the contract environment.
func contractRun(e contractEnv, args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	env := map[string]string{"RESCLI_STATE_DIR": e.state, "NO_COLOR": "1", "XDG_CONFIG_HOME": e.config}
	code = Main(args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

func checkExamples(t *testing.T, c *cobra.Command) {
	t.Helper()
	if c.Short == "" {
		t.Errorf("%s has no one-line summary", c.CommandPath())
	}
	if strings.TrimSpace(c.Example) == "" {
		if !strings.HasPrefix(c.CommandPath(), "rescli completion") {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		return
	}
	runs := 0
	defer func() {
		if runs == 0 {
			t.Errorf("%s: no example runs rescli", c.CommandPath())
		}
	}()
	for _, line := range exampleLines(c.Example) {
		args := exampleArgs(line)
		if args == nil {
			continue // a line that shows something else (curl, the URL to give)
		}
		runs++
		root := NewRootCmd(&Global{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }})
		cmd, rest, err := root.Find(args)
		if err != nil {
			t.Errorf("example %q: %v", line, err)
			continue
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Errorf("example %q: %v", line, err)
			continue
		}
		if cmd.Args != nil {
			if err := cmd.Args(cmd, cmd.Flags().Args()); err != nil {
				t.Errorf("example %q: %v", line, err)
			}
		}
	}
}

// exampleLines are the command lines of an Example, continuations joined.
func exampleLines(example string) []string {
	var out []string
	var cur string
	sc := bufio.NewScanner(strings.NewReader(example))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		if strings.HasSuffix(l, `\`) {
			cur += strings.TrimSuffix(l, `\`) + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

// exampleArgs splits a shell line the way sh would for these examples
// (quotes, VAR=value prefixes, a comment, a pipe or a redirection ends
// the command) and returns the arguments after "rescli".
func exampleArgs(line string) []string {
	var words []string
	var w strings.Builder
	quote, inWord := rune(0), false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	flush()
	// The command is the first word after any VAR=value: rescli (or a
	// path to it), or go run ./cmd/rescli.
	i := 0
	for i < len(words) && strings.Contains(words[i], "=") && !strings.HasPrefix(words[i], "-") {
		i++
	}
	switch {
	case i < len(words) && (words[i] == "rescli" || strings.HasSuffix(words[i], "/rescli")):
		i++
	case i+2 < len(words) && words[i] == "go" && words[i+1] == "run" && words[i+2] == "./cmd/rescli":
		i += 3
	default:
		return nil
	}
	args := []string{}
	for _, a := range words[i:] {
		if a == "|" || a == "&" || a == "&&" || a == ";" || strings.HasPrefix(a, "#") || strings.HasPrefix(a, ">") || strings.HasPrefix(a, "2>") {
			break
		}
		if strings.HasPrefix(a, "$") { // a shell variable: any value of the flag's type parses as it would
			a = "0"
		}
		args = append(args, a)
	}
	return args
}

// checkOneLine: exit 2, nothing on stdout, one line on stderr that has
// every want and an example.
func checkOneLine(t *testing.T, what, stdout, stderr string, code int, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if code != ExitError || stdout != "" || len(lines) != 1 || !strings.Contains(stderr, "e.g. ") {
		t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2, one line with an example", what, code, stdout, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%s: %q does not name %q", what, stderr, w)
		}
	}
}

func checkBadFlag(t *testing.T, e contractEnv, path string) {
	t.Helper()
	args := append(strings.Fields(path)[1:], "--no-such-flag")
	out, errOut, code := contractRun(e, args...)
	checkOneLine(t, "a bad flag", out, errOut, code, "--no-such-flag")
}

func checkMissingArg(t *testing.T, e contractEnv, c *cobra.Command) {
	t.Helper()
	if c.Args == nil || c.Args(c, nil) == nil {
		return // takes no argument, or none is required
	}
	out, errOut, code := contractRun(e, strings.Fields(c.CommandPath())[1:]...)
	checkOneLine(t, "a missing argument", out, errOut, code, "missing")
}

func checkRefusesJSON(t *testing.T, e contractEnv, c *cobra.Command) {
	t.Helper()
	args := strings.Fields(c.CommandPath())[1:]
	if lines := exampleLines(c.Example); len(lines) > 0 { // arguments that parse, so that the refusal is about -o json
		args = exampleArgs(lines[0])
	}
	out, errOut, code := contractRun(e, append(args, "-o", "json")...)
	checkOneLine(t, "-o json without JSON output", out, errOut, code, "no JSON output")
}

func checkJSON(t *testing.T, e contractEnv, run jsonRun, schema string, stream bool) {
	t.Helper()
	out, errOut, code := contractRun(e, append(run.args, "-o", "json")...)
	if code != run.code {
		t.Errorf("%v: exit %d, want %d\nstderr: %s", run.args, code, run.code, errOut)
		return
	}
	sch := compileSchema(t, schema)
	var docs []string
	if stream {
		docs = slices.DeleteFunc(strings.Split(out, "\n"), func(s string) bool { return s == "" })
	} else {
		docs = []string{out}
	}
	if len(docs) == 0 {
		t.Errorf("%v printed no JSON", run.args)
	}
	for _, d := range docs {
		dec := json.NewDecoder(strings.NewReader(d))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%v: not JSON: %v\n%s", run.args, err, d)
			continue
		}
		if dec.More() {
			t.Errorf("%v printed more than one JSON document:\n%s", run.args, d)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%v: does not validate against %s: %v\n%s", run.args, schemaFile(schema), err, d)
		}
	}
}

func compileSchema(t *testing.T, schema string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join("..", "..", "docs", "schemas", schemaFile(schema))
	c := jsonschema.NewCompiler()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("schema %s: %v (run scripts/gen-docs.sh)", schema, err)
	}
	return s
}

// serve runs until a signal; with -o json its one document comes when it
// stops, and validates.
func TestServeJSONDocument(t *testing.T) {
	bin, err := exec.LookPath("rescli")
	if err != nil {
		t.Skipf("rescli not on PATH: %v", err)
	}
	srv := redistest.Start(t)
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(bin, "serve", "-o", "json", "--redis-url", srv.URL(), "--listen", "127.0.0.1:0", "--addr-file", addrFile)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchWait(t, "serve listening", func() string { b, _ := os.ReadFile(addrFile); return string(b) }, regexp.MustCompile(`^http://`), 20*time.Second)
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	var v any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s\nstderr: %s", err, out.String(), errOut.String())
	}
	if err := compileSchema(t, schemaServe).Validate(v); err != nil {
		t.Errorf("serve -o json does not validate: %v\n%s", err, out.String())
	}
}
