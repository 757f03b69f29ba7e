package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rescli/rescli/internal/redistest"
)

// rescli herd takes a Sentinel or Cluster URL like any other.
func TestHerdAgainstSentinelAndClusterURLs(t *testing.T) {
	d := redistest.StartSentinel(t)
	c := redistest.StartCluster(t)
	for _, url := range []string{d.URL(), c.URL()} {
		var out, errOut strings.Builder
		code := Main([]string{"herd", "--redis-url", url, "--services", "5", "--steady", "10ms", "-o", "json"},
			IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(string) string { return "" })
		if code != 0 {
			t.Fatalf("herd --redis-url %s: exit %d, stderr %s", url, code, errOut.String())
		}
		var rep struct {
			Target     string `json:"target"`
			Strategies []struct {
				Name   string `json:"name"`
				Ready  int    `json:"ready"`
				Failed int    `json:"failed"`
			} `json:"strategies"`
		}
		if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
			t.Fatalf("herd -o json: %v\n%s", err, out.String())
		}
		for _, s := range rep.Strategies {
			if s.Ready != 5 || s.Failed != 0 {
				t.Errorf("%s %s: ready %d failed %d", rep.Target, s.Name, s.Ready, s.Failed)
			}
		}
	}
}
