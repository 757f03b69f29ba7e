package cli

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/pkg/target"
)

func TestDevRunsUntilCancelledThenTearsDown(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		want  target.Kind
		roles map[string]int
	}{
		{"cluster", target.Cluster, map[string]int{"master": 3, "replica": 3}},
		{"sentinel", target.Sentinel, map[string]int{"master": 1, "replica": 1, "sentinel": 3}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			state := t.TempDir()
			env := map[string]string{"RESCLI_STATE_DIR": state}
			var out, errOut strings.Builder
			output := map[string]string{"cluster": "table", "sentinel": "json"}[tc.kind] // both ways, one run each
			g := &Global{IO: IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(k string) string { return env[k] }, Output: output}
			ctx, cancel := context.WithCancel(context.Background())
			var got devReport
			o := &devOptions{g: g, started: func(r devReport) {
				got = r
				for _, n := range r.Nodes {
					if _, err := devnode.Lookup(devnode.Dir(g.Getenv), n.Addr); err != nil {
						t.Errorf("node %s not registered for kill-node: %v", n.Addr, err)
					}
				}
				cancel()
			}}
			if err := o.run(ctx, tc.kind); err != nil {
				t.Fatalf("dev %s: %v (%s)", tc.kind, err, errOut.String())
			}
			roles := map[string]int{}
			for _, n := range got.Nodes {
				roles[n.Role]++
			}
			if tgt, err := target.Parse(got.URL); err != nil || tgt.Kind != tc.want || !maps.Equal(roles, tc.roles) {
				t.Fatalf("report %+v, roles %v (%v)", got, roles, err)
			}
			if output == "json" {
				var v any
				if err := json.Unmarshal([]byte(out.String()), &v); err != nil {
					t.Fatalf("stdout is not one JSON document: %v\n%s", err, out.String())
				}
				if err := compileSchema(t, schemaDev).Validate(v); err != nil {
					t.Errorf("dev -o json does not validate: %v", err)
				}
			} else if !strings.Contains(out.String(), "REDIS_URL="+got.URL) || strings.Count(out.String(), "  master ") != tc.roles["master"] {
				t.Errorf("stdout %q", out.String())
			}
			for _, n := range got.Nodes {
				if _, err := devnode.Lookup(devnode.Dir(g.Getenv), n.Addr); !errors.Is(err, devnode.ErrNotRegistered) {
					t.Errorf("node %s still registered or running after teardown: %v", n.Addr, err)
				}
				if c, err := net.DialTimeout("tcp", n.Addr, time.Second); err == nil {
					_ = c.Close()
					t.Errorf("node %s still accepts connections after teardown", n.Addr)
				}
			}
		})
	}
}

func TestDevRejectsAnUnknownKind(t *testing.T) {
	var out, errOut strings.Builder
	code := Main([]string{"dev", "memcached"}, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" })
	if code != 2 || !strings.Contains(errOut.String(), "cluster or sentinel") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}
