package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
)

// contextRig is a config file of two contexts over two real servers, b's
// behind a password that only its url_env carries.
type contextRig struct {
	t      *testing.T
	a, b   *redistest.Server
	bURL   string
	dir    string
	env    map[string]string
	output strings.Builder // every byte any command printed
}

const contextSecrets = "tok-a-s3cret tok-b-s3cret hunter2"

func newContextRig(t *testing.T) *contextRig {
	t.Helper()
	r := &contextRig{t: t, a: redistest.Start(t), b: redistest.Start(t, "--requirepass", "hunter2"), dir: t.TempDir()}
	r.bURL = "redis://:hunter2@" + r.b.Addr
	cfg := filepath.Join(r.dir, "rescli", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	body := `current-context: a
contexts:
  - name: a
    url: ` + r.a.URL() + `
    token_file: a.token
  - name: b
    url_env: B_URL
    allow: ["127.0.0.1"]
    token_env: B_TOKEN
`
	for name, content := range map[string]string{cfg: body, filepath.Join(r.dir, "rescli", "a.token"): "tok-a-s3cret\n"} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.env = map[string]string{"XDG_CONFIG_HOME": r.dir, "HOME": r.dir, "B_URL": r.bURL, "B_TOKEN": "tok-b-s3cret",
		"RESCLI_STATE_DIR": filepath.Join(r.dir, "state")}
	t.Cleanup(func() {
		for _, s := range strings.Fields(contextSecrets) {
			if strings.Contains(r.output.String(), s) {
				t.Errorf("a secret (%s) was printed:\n%s", s, r.output.String())
			}
		}
	})
	return r
}

// run runs rescli in-process with the rig's environment plus extra.
func (r *contextRig) run(extra map[string]string, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	var out, errOut bytes.Buffer
	code = Main(args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return r.env[k]
	})
	r.output.WriteString(out.String() + errOut.String())
	return out.String(), errOut.String(), code
}

// verifiedTarget is the target a `verify --checks connectivity` run
// reports, and whether it reached it.
func (r *contextRig) verifiedTarget(extra map[string]string, args ...string) (string, string) {
	r.t.Helper()
	out, errOut, code := r.run(extra, append(args, "verify", "--checks", "connectivity", "-o", "json")...)
	var rep struct {
		Target string `json:"target"`
		Checks []struct{ Status string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Checks) != 1 {
		r.t.Fatalf("%v: exit %d, %v: %s %s", args, code, err, out, errOut)
	}
	return rep.Target, rep.Checks[0].Status
}

func TestContextPicksTheTarget(t *testing.T) {
	r := newContextRig(t)
	a, b := r.a.URL(), "redis://:***@"+r.b.Addr
	for _, tc := range []struct {
		what  string
		extra map[string]string
		args  []string
		want  string
	}{
		{"the file's current-context", nil, nil, a},
		{"--context", nil, []string{"--context", "b"}, b},
		{"RESCLI_CONTEXT", map[string]string{"RESCLI_CONTEXT": "b"}, nil, b},
		{"--context over REDIS_URL", map[string]string{"REDIS_URL": a}, []string{"--context", "b"}, b},
		{"REDIS_URL over current-context", map[string]string{"REDIS_URL": r.bURL}, nil, b},
		{"--redis-url over --context", nil, []string{"--context", "b", "--redis-url", a}, a},
	} {
		got, status := r.verifiedTarget(tc.extra, tc.args...)
		if got != tc.want || status != "pass" {
			t.Errorf("%s: target %s (%s), want %s reached", tc.what, got, status, tc.want)
		}
	}
	// config use moves the current context
	if out, _, code := r.run(nil, "config", "use", "b"); code != 0 || !strings.Contains(out, "current context: b") {
		t.Fatalf("config use: %d %s", code, out)
	}
	if got, _ := r.verifiedTarget(nil); got != b {
		t.Errorf("after config use b: %s", got)
	}
	// An unknown context: one line, exit 2, naming the ones there are
	_, errOut, code := r.run(nil, "--context", "nope", "verify")
	if code != ExitError || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `no such context "nope"`) || !strings.Contains(errOut, "contexts: a, b") {
		t.Errorf("unknown context: %d %q", code, errOut)
	}
}

// The context's allow-list is the chaos allow-list.
func TestContextAllowList(t *testing.T) {
	r := newContextRig(t)
	if out, errOut, code := r.run(nil, "--context", "b", "chaos", "inject", "maxclients", "50", "--duration", "1s", "--dry-run"); code != 0 {
		t.Errorf("b allows 127.0.0.1: exit %d %s %s", code, out, errOut)
	}
	if _, errOut, code := r.run(nil, "--context", "a", "chaos", "inject", "maxclients", "50", "--duration", "1s", "--dry-run"); code == 0 || !strings.Contains(errOut, "allow") {
		t.Errorf("a allows nothing: exit %d %s", code, errOut)
	}
}

// rescli config shows where each secret comes from, never the secret.
func TestConfigListAndShow(t *testing.T) {
	r := newContextRig(t)
	out, _, code := r.run(nil, "config", "list")
	for _, want := range []string{"*", "a", "b", r.a.URL(), "redis://:***@" + r.b.Addr + " (env B_URL)", "file a.token", "env B_TOKEN (set)", "127.0.0.1"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("config list lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	out, _, code = r.run(nil, "config", "show", "b", "-o", "json")
	var doc configDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || !strings.HasPrefix(out, `{
  "schema": "rescli.config/v1"`) {
		t.Fatalf("config show -o json: %d %v\n%s", code, err, out)
	}
	if len(doc.Contexts) != 1 || doc.CurrentContext != "a" || doc.Contexts[0].Token != "env B_TOKEN (set)" || doc.Contexts[0].Current {
		t.Errorf("show b: %+v", doc)
	}
	// A broken file: every command but config, version and docs says so
	cfg := filepath.Join(r.dir, "rescli", "config.yaml")
	if err := os.WriteFile(cfg, []byte("contexts:\n  - name: a\n    token: tok-a-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := r.run(nil, "verify"); code != ExitError || !strings.Contains(errOut, "a token is never stored in the config file") {
		t.Errorf("broken config: %d %s", code, errOut)
	}
	if _, _, code := r.run(nil, "version"); code != 0 {
		t.Errorf("version with a broken config: exit %d", code)
	}
}

// watch takes several contexts at once: each is a target, read through
// its own URL (b's with the password from url_env).
func TestWatchTwoContexts(t *testing.T) {
	watchNoLeaks(t)
	r := newContextRig(t)
	out, errOut, code := r.run(nil, "watch", "-o", "json", "--context", "a", "--context", "b", "--duration", "2500ms",
		"--refresh", "100ms", "--summary", "300ms")
	if code != 0 {
		t.Fatalf("watch: exit %d %s", code, errOut)
	}
	seen := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct {
			Schema, Type, Target, State string
			Nodes                       []struct{ Addr string }
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Schema != schemaWatchEvent {
			t.Fatalf("not a watch event: %q (%v)", l, err)
		}
		switch ev.Type {
		case "summary":
			seen[ev.Target+" summary"] = ev.State
		case "server":
			seen[ev.Target+" server"] = ev.Nodes[0].Addr
		}
	}
	want := map[string]string{"a summary": "CLOSED", "b summary": "CLOSED", "a server": r.a.Addr, "b server": r.b.Addr}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, seen[k], v, seen)
		}
	}
}

// A context's token (from its token_file) reaches its services, and its
// services are the ones health watches by default; the token is never
// printed.
func TestContextTokenReachesServices(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a service")
	}
	r := newContextRig(t)
	svc := watchStartServe(t, watchBuildRescli(t), r.a.URL(), "tok-a-s3cret")
	cfg := filepath.Join(r.dir, "rescli", "config.yaml")
	body := "current-context: a\ncontexts:\n  - name: a\n    url: " + r.a.URL() + "\n    services: [" + svc + "]\n    token_file: a.token\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// /health/detailed answers only with the admin token: its breaker view
	// in the report says the token was sent (the service may still be
	// starting: pass or fail, but read)
	out, errOut, code := r.run(nil, "health", "--detailed", "-o", "json")
	if code == ExitError || !strings.Contains(out, svc+"/health/detailed") || !strings.Contains(out, `"circuit_breaker_state"`) {
		t.Errorf("health with the context's services and token: exit %d\n%s\n%s", code, out, errOut)
	}
	// the same without the token file: the current context's token is
	// left unset with a warning naming the file, the service refuses the
	// detailed report, and health says so
	os.Remove(filepath.Join(r.dir, "rescli", "a.token"))
	if _, errOut, code := r.run(nil, "health"); code != ExitCheckFailed || !strings.Contains(errOut, "a.token") {
		t.Errorf("missing token_file: exit %d %s", code, errOut)
	}
	// named with --context, the missing file is an error
	if _, errOut, code := r.run(nil, "--context", "a", "health"); code != ExitError || !strings.Contains(errOut, "a.token") {
		t.Errorf("missing token_file, --context a: exit %d %s", code, errOut)
	}
}

// A current-context whose URL cannot be read stops nothing that does not
// use it: --redis-url, REDIS_URL and completion go on; a command that
// does use it says so once on stderr and goes on without it. A context
// named with --context must be readable.
func TestUnreadableCurrentContextStopsNothingElse(t *testing.T) {
	r := newContextRig(t)
	if out, _, code := r.run(nil, "config", "use", "b"); code != 0 {
		t.Fatalf("config use b: %d %s", code, out)
	}
	unset := map[string]string{"B_URL": ""}
	a := r.a.URL()
	if got, status := r.verifiedTarget(unset, "--redis-url", a); got != a || status != "pass" {
		t.Errorf("--redis-url under an unreadable current-context: %s %s", got, status)
	}
	if got, status := r.verifiedTarget(map[string]string{"B_URL": "", "REDIS_URL": a}); got != a || status != "pass" {
		t.Errorf("REDIS_URL under an unreadable current-context: %s %s", got, status)
	}
	if out, errOut, code := r.run(unset, "__complete", "--context", ""); code != 0 || !strings.Contains(out, "a\nb\n") {
		t.Errorf("completing --context: exit %d %q %q", code, out, errOut)
	}
	_, errOut, _ := r.run(unset, "verify", "--checks", "connectivity")
	if strings.Count(errOut, `the current context "b"`) != 1 || !strings.Contains(errOut, "B_URL") {
		t.Errorf("a command that uses the context: want one warning naming B_URL, got %q", errOut)
	}
	if _, errOut, code := r.run(unset, "--context", "b", "verify"); code != ExitError || !strings.Contains(errOut, "B_URL") {
		t.Errorf("--context b with B_URL unset: exit %d %q, want exit %d naming B_URL", code, errOut, ExitError)
	}
}
