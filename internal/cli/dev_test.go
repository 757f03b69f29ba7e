package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/devnode"
	"github.com/rescli/rescli/pkg/target"
)

func TestDevClusterRunsUntilCancelledThenTearsDown(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"RESCLI_STATE_DIR": state}
	var out, errOut strings.Builder
	g := &Global{IO: IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(k string) string { return env[k] }, Output: "table"}
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
	if err := o.run(ctx, "cluster"); err != nil {
		t.Fatalf("dev cluster: %v (%s)", err, errOut.String())
	}
	if tgt, err := target.Parse(got.URL); err != nil || tgt.Kind != target.Cluster || len(got.Nodes) != 6 {
		t.Fatalf("report %+v (%v)", got, err)
	}
	if !strings.Contains(out.String(), "REDIS_URL="+got.URL) || strings.Count(out.String(), "master") != 3 {
		t.Errorf("stdout %q", out.String())
	}
	for _, n := range got.Nodes {
		if _, err := devnode.Lookup(devnode.Dir(g.Getenv), n.Addr); !errors.Is(err, devnode.ErrNotRegistered) {
			t.Errorf("node %s still registered or running after teardown: %v", n.Addr, err)
		}
	}
}

func TestDevRejectsAnUnknownKind(t *testing.T) {
	var out, errOut strings.Builder
	code := Main([]string{"dev", "memcached"}, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" })
	if code != 2 || !strings.Contains(errOut.String(), "cluster or sentinel") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}
