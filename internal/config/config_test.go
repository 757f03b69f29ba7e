package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		env  func(string) string
		want string
	}{
		{env("XDG_CONFIG_HOME", "/x", "HOME", "/h"), "/x/rescli/config.yaml"},
		{env("XDG_CONFIG_HOME", "relative", "HOME", "/h"), "/h/.config/rescli/config.yaml"}, // XDG: relative paths are ignored
		{env("HOME", "/h"), "/h/.config/rescli/config.yaml"},
	} {
		if got, err := Path(tc.env); err != nil || got != tc.want {
			t.Errorf("got %q %v, want %q", got, err, tc.want)
		}
	}
	if _, err := Path(env()); err == nil {
		t.Error("no XDG_CONFIG_HOME and no HOME: no error")
	}
}

const good = `# on-call
current-context: staging
contexts:
  - name: staging
    url: redis+sentinel://s1:26379,s2:26379/mymaster
    services: [http://10.0.0.5:8080, http://10.0.0.6:8080]
    allow: ["*.staging.internal"]
    token_env: STAGING_TOKEN
  - name: prod-eu
    url_env: PROD_EU_URL
    token_file: prod.token   # next to this file
`

func TestParseGood(t *testing.T) {
	f, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Find("staging")
	if err != nil || f.CurrentContext != "staging" || len(c.Services) != 2 || c.Allow[0] != "*.staging.internal" {
		t.Fatalf("%+v %v", f, err)
	}
	if _, err := f.Find("nope"); !errors.Is(err, ErrNoContext) || !strings.Contains(err.Error(), "staging, prod-eu") {
		t.Errorf("find unknown: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"literal token":  {"contexts:\n  - name: a\n    token: s3cret\n", "a token is never stored in the config file"},
		"literal pass":   {"contexts:\n  - name: a\n    password: s3cret\n", "a password is never stored"},
		"url password":   {"contexts:\n  - name: a\n    url: redis://:hunter2@h:6379\n", "carries a password"},
		"sentinel data":  {"contexts:\n  - name: a\n    url: redis+sentinel://s1/m?password=hunter2\n", "carries a password"},
		"unknown field":  {"contexts:\n  - name: a\n    urll: redis://h\n", `unknown field "urll"`},
		"two urls":       {"contexts:\n  - name: a\n    url: redis://h\n    url_env: X\n", "at most one of url"},
		"two tokens":     {"contexts:\n  - name: a\n    token_env: X\n    token_file: f\n", "at most one of token_env"},
		"twice":          {"contexts:\n  - name: a\n  - name: a\n", "defined twice"},
		"bad name":       {"contexts:\n  - name: 'a b'\n", "name must be"},
		"no name":        {"contexts:\n  - url: redis://h\n", "name must be"},
		"current":        {"current-context: b\ncontexts:\n  - name: a\n", `current-context "b" is not one of`},
		"service":        {"contexts:\n  - name: a\n    services: [ftp://x]\n", "want http://host:port"},
		"service pass":   {"contexts:\n  - name: a\n    services: ['http://u:hunter2@x']\n", "carries a password"},
		"bad url":        {"contexts:\n  - name: a\n    url: 'mongodb://x'\n", "unknown scheme"},
		"alias":          {"x: &a [1]\ncontexts:\n  - name: *a\n", "anchors, aliases and merge keys are not allowed"},
		"deep":           {"contexts: " + strings.Repeat("[", 20) + strings.Repeat("]", 20) + "\n", "nested too deep"},
		"not yaml":       {"contexts: [\n", "invalid config: [1:11] sequence end token ']' not found"},
		"duplicate key":  {"contexts: []\ncontexts: []\n", `invalid config: [2:1] mapping key "contexts" already defined`},
		"wrong type":     {"contexts: {name: a}\n", "invalid config: [1:11] mapping was used where sequence is expected"},
		"too large":      {"# " + strings.Repeat("x", MaxFileSize) + "\n", "larger than"},
		"top-level junk": {"context: a\n", `unknown field "context"`},
	} {
		_, err := Parse([]byte(tc.yaml))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the password is in the error: %v", name, err)
		}
	}
}

// Bytes that once crashed goccy/go-yaml's decoder are an error, not a panic.
func TestParseNeverPanics(t *testing.T) {
	for _, b := range []string{"\x00", "- [", "{", "a: b: c", "contexts:\n- name: a\n  services: {", ":\n:\n", "!!binary x", "? [\n"} {
		if _, err := Parse([]byte(b)); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
}

func writeFile(t *testing.T, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", good+"  - name: home\n    url_file: ~/url\n  - name: empty\n    token_file: empty.token\n", 0o600)
	writeFile(t, dir, "prod.token", "tok-prod\n", 0o600)
	writeFile(t, dir, "empty.token", " \n", 0o600)
	writeFile(t, dir, "url", "redis://:pw@10.0.0.9:6379\n", 0o600)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	getenv := env("STAGING_TOKEN", "tok-staging", "PROD_EU_URL", "redis://:pw@10.0.1.5:6379", "HOME", dir)
	ctx := func(name string) *Context {
		c, err := f.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if tok, err := f.Token(ctx("staging"), getenv); tok != "tok-staging" || err != nil {
		t.Errorf("token_env: %q %v", tok, err)
	}
	if tok, err := f.Token(ctx("prod-eu"), getenv); tok != "tok-prod" || err != nil {
		t.Errorf("token_file relative to the config file: %q %v", tok, err)
	}
	if tok, err := f.Token(ctx("staging"), env()); tok != "" || err != nil {
		t.Errorf("token_env unset: %q %v, want no token and no error", tok, err)
	}
	if _, err := f.Token(ctx("empty"), getenv); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty token_file: %v", err)
	}
	if u, err := f.RedisURL(ctx("prod-eu"), getenv); u != "redis://:pw@10.0.1.5:6379" || err != nil {
		t.Errorf("url_env: %q %v", u, err)
	}
	if _, err := f.RedisURL(ctx("prod-eu"), env()); err == nil || !strings.Contains(err.Error(), "url_env PROD_EU_URL is not set") {
		t.Errorf("url_env unset: %v", err)
	}
	if u, err := f.RedisURL(ctx("home"), getenv); u != "redis://:pw@10.0.0.9:6379" || err != nil {
		t.Errorf("url_file under ~: %q %v", u, err)
	}
	// TokenSource says where, never what
	for _, name := range []string{"staging", "prod-eu", "empty"} {
		if src := f.TokenSource(ctx(name), getenv); strings.Contains(src, "tok-") {
			t.Errorf("%s: token source %q shows the token", name, src)
		}
	}
	if src := f.TokenSource(ctx("staging"), getenv); src != "env STAGING_TOKEN (set)" {
		t.Errorf("token source %q", src)
	}
	os.Remove(filepath.Join(dir, "prod.token"))
	if _, err := f.Token(ctx("prod-eu"), getenv); err == nil || !strings.Contains(err.Error(), "prod.token: no such file") {
		t.Errorf("missing token_file: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSetCurrentKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", good, 0o640)
	f, err := SetCurrent(path, "prod-eu")
	if err != nil {
		t.Fatal(err)
	}
	if f.CurrentContext != "prod-eu" || f.Path() != path || len(f.Contexts) != 2 {
		t.Errorf("returned file: current %q, path %q, %d contexts", f.CurrentContext, f.Path(), len(f.Contexts))
	}
	b, _ := os.ReadFile(path)
	if want := strings.Replace(good, "current-context: staging", "current-context: prod-eu", 1); string(b) != want {
		t.Errorf("file after set:\n%s", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	// A file without the line gets one at the top
	path2 := writeFile(t, dir, "c2.yaml", "contexts:\n  - name: a\n", 0o600)
	if _, err := SetCurrent(path2, "a"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path2); !strings.HasPrefix(string(b), "current-context: a\ncontexts:") {
		t.Errorf("file after set:\n%s", b)
	}
	if _, err := SetCurrent(path2, "b"); !errors.Is(err, ErrNoContext) {
		t.Errorf("unknown context: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".config-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// The config file shown in the README loads as shown.
func TestREADMEConfigParses(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, blk, ok := strings.Cut(string(b), "```yaml config\n")
	if !ok {
		t.Fatal("no ```yaml config block in README.md")
	}
	blk, _, _ = strings.Cut(blk, "```")
	f, err := Parse([]byte(blk))
	if err != nil {
		t.Fatalf("README config: %v", err)
	}
	if _, err := f.Find("prod-eu"); err != nil {
		t.Fatalf("README config: %v", err)
	}
}
