package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// watchConfigEnv writes a config file and returns a Getenv that finds it,
// plus vars.
func watchConfigEnv(t *testing.T, body string, vars ...string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rescli"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rescli", "config.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	for i := 0; i+1 < len(vars); i += 2 {
		env[vars[i]] = vars[i+1]
	}
	return func(k string) string { return env[k] }
}

// watchPlanOf parses watch's flags as the command would and returns its
// plan.
func watchPlanOf(t *testing.T, getenv func(string) string, args ...string) (watchPlan, error) {
	t.Helper()
	g := &Global{Getenv: getenv, IO: IOStreams{Out: &watchBuffer{}, ErrOut: &watchBuffer{}}}
	root := NewRootCmd(g)
	cmd, rest, err := root.Find(append([]string{"watch"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	if err := root.PersistentPreRunE(cmd, nil); err != nil {
		return watchPlan{}, err
	}
	o := &watchOptions{g: g}
	o.urls, _ = cmd.Flags().GetStringArray("redis-url")
	o.contexts, _ = cmd.Flags().GetStringArray("context")
	o.services, _ = cmd.Flags().GetStringArray("service")
	o.token, _ = cmd.Flags().GetString("token")
	return o.plan()
}

const watchTwoContexts = `current-context: eu
contexts:
  - name: eu
    url: redis://10.0.1.5:6379
    services: [http://10.0.1.10:8080]
    token_env: EU_TOKEN
  - name: us
    url_env: US_URL
    services: [http://10.0.2.10:8080, http://10.0.2.11:8080]
    token_env: US_TOKEN
`

func TestWatchPlan(t *testing.T) {
	getenv := watchConfigEnv(t, watchTwoContexts, "EU_TOKEN", "eu-tok", "US_TOKEN", "us-tok",
		"US_URL", "redis://:pw@10.0.2.5:6379", "RESCLI_ADMIN_TOKEN", "env-tok")
	names := func(p watchPlan) string {
		var out []string
		for _, r := range p.redis {
			out = append(out, r.name+"="+r.url)
		}
		for _, s := range p.services {
			out = append(out, s.name+"@"+s.token)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// nothing given: the current context, its target named after it; its
		// token yields to RESCLI_ADMIN_TOKEN, as current-context does
		{nil, "eu=redis://10.0.1.5:6379 eu/10.0.1.10:8080@env-tok"},
		// a lone URL is "redis", as ever; several are named by address
		{[]string{"--redis-url", "redis://127.0.0.1:1"}, "redis=redis://127.0.0.1:1"},
		{[]string{"--redis-url", "redis://127.0.0.1:1", "--redis-url", "redis+sentinel://s1:26379/mymaster", "--redis-url", "redis+cluster://n1:7000,n2:7000"},
			"127.0.0.1:1=redis://127.0.0.1:1 mymaster@s1:26379=redis+sentinel://s1:26379/mymaster cluster@n1:7000=redis+cluster://n1:7000,n2:7000"},
		{[]string{"--redis-url", "redis://h:1", "--redis-url", "redis://h:1"}, "h:1=redis://h:1 h:1#2=redis://h:1"},
		// contexts add up, each service with its own context's token
		{[]string{"--context", "eu", "--context", "us"},
			"eu=redis://10.0.1.5:6379 us=redis://:pw@10.0.2.5:6379 eu/10.0.1.10:8080@eu-tok us/10.0.2.10:8080@us-tok us/10.0.2.11:8080@us-tok"},
		// --token wins over every context's
		{[]string{"--context", "us", "--token", "flag-tok"}, "us=redis://:pw@10.0.2.5:6379 us/10.0.2.10:8080@flag-tok us/10.0.2.11:8080@flag-tok"},
		// a --service alone is what is watched, with the environment's token
		{[]string{"--service", "http://10.0.9.9:8080"}, "10.0.9.9:8080@env-tok"},
	} {
		p, err := watchPlanOf(t, getenv, tc.args...)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if got := names(p); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
	// Without RESCLI_ADMIN_TOKEN the current context's token is used
	p, err := watchPlanOf(t, watchConfigEnv(t, watchTwoContexts, "EU_TOKEN", "eu-tok"))
	if err != nil || names(p) != "eu=redis://10.0.1.5:6379 eu/10.0.1.10:8080@eu-tok" {
		t.Errorf("current context's token: %s %v", names(p), err)
	}
	// Without a config file and a URL: the embedded Redis
	p, err = watchPlanOf(t, func(string) string { return "" })
	if err != nil || names(p) != "redis=" {
		t.Errorf("no target: %s %v", names(p), err)
	}
	// A context that does not exist is a usage error naming those that do
	if _, err := watchPlanOf(t, getenv, "--context", "ap"); ExitCode(err) != ExitError || !strings.Contains(err.Error(), "contexts: eu, us") {
		t.Errorf("unknown context: %v", err)
	}
}

func TestWatchChaosNeedsOneRedisTarget(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--chaos", "--service", "http://127.0.0.1:1"}, "--chaos works on a Redis target, not on --service alone"},
		{[]string{"--chaos", "--redis-url", "redis://127.0.0.1:1", "--redis-url", "redis://127.0.0.1:2"}, "--chaos works on one Redis target at a time; 2 were given"},
		{[]string{"--server-interval", "500ms"}, "--server-interval must be at least 1s"},
	} {
		g := &Global{Getenv: func(string) string { return "" }, IO: IOStreams{Out: &watchBuffer{}, ErrOut: &watchBuffer{}}}
		root := NewRootCmd(g)
		root.SetArgs(append([]string{"watch", "--plain", "--duration", "1ms"}, tc.args...))
		err := root.Execute()
		if ExitCode(err) != ExitError || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
