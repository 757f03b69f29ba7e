package health

import (
	"slices"
	"testing"
)

func TestEndpoints(t *testing.T) {
	cases := []struct {
		url             string
		token, detailed bool
		want            []string
	}{
		{"http://h:1", false, false, []string{"http://h:1/health"}},
		{"http://h:1/", true, false, []string{"http://h:1/health", "http://h:1/health/redis", "http://h:1/health/services"}},
		{"http://h:1/health", true, true, []string{"http://h:1/health/detailed"}},
		{"http://h:1/actuator/health", true, false, []string{"http://h:1/actuator/health"}},
		{"https://k8s:6443/readyz?verbose", false, false, []string{"https://k8s:6443/readyz?verbose"}},
	}
	for _, tc := range cases {
		var got []string
		for _, e := range Endpoints(tc.url, tc.token, tc.detailed) {
			got = append(got, e.URL)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Endpoints(%s, %v, %v) = %v, want %v", tc.url, tc.token, tc.detailed, got, tc.want)
		}
	}
}
