package manager

import (
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Target
	}{
		{"redis://:pw@127.0.0.1:6380/2", Target{Kind: Standalone, Addrs: []string{"127.0.0.1:6380"}, Password: "pw", DB: 2}},
		{"redis+sentinel://h1:26379,h2,h3:26381/mymaster",
			Target{Kind: Sentinel, Addrs: []string{"h1:26379", "h2:26379", "h3:26381"}, MasterName: "mymaster"}},
		{"redis+sentinel://:spw@h1/mymaster/3?password=dpw&username=app",
			Target{Kind: Sentinel, Addrs: []string{"h1:26379"}, MasterName: "mymaster", DB: 3,
				SentinelPassword: "spw", Username: "app", Password: "dpw"}},
		{"redis+sentinel://sadmin:s%40pw@h1:1/m?db=1&sentinel_username=x",
			Target{Kind: Sentinel, Addrs: []string{"h1:1"}, MasterName: "m", DB: 1, SentinelUsername: "x", SentinelPassword: "s@pw"}},
		{"redis+cluster://app:pw@n1:7000,n2:7001,n3",
			Target{Kind: Cluster, Addrs: []string{"n1:7000", "n2:7001", "n3:6379"}, Username: "app", Password: "pw"}},
		{"redis+cluster://n1:7000?password=pw", Target{Kind: Cluster, Addrs: []string{"n1:7000"}, Password: "pw"}},
		// One server: its TLS config names it (go-redis's ParseURL).
		{"rediss://:pw@h1:6380", Target{Kind: Standalone, Addrs: []string{"h1:6380"}, Password: "pw", TLS: &tls.Config{ServerName: "h1"}}},
		// Several: no name, each node is verified against its own host
		// (TestTLSDialVerifiesEachNodeByTheHostItDials).
		{"rediss+cluster://n1:7000,n2", Target{Kind: Cluster, Addrs: []string{"n1:7000", "n2:6379"}, TLS: &tls.Config{}}},
		{"rediss+sentinel://s1,s2/m", Target{Kind: Sentinel, Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "m", TLS: &tls.Config{}}},
	} {
		got, err := ParseTarget(tc.url)
		if err != nil {
			t.Errorf("ParseTarget(%s): %v", tc.url, err)
			continue
		}
		if got.Kind != tc.want.Kind || !slices.Equal(got.Addrs, tc.want.Addrs) || got.MasterName != tc.want.MasterName ||
			got.Username != tc.want.Username || got.Password != tc.want.Password || got.DB != tc.want.DB ||
			got.SentinelUsername != tc.want.SentinelUsername || got.SentinelPassword != tc.want.SentinelPassword ||
			(got.TLS == nil) != (tc.want.TLS == nil) || got.TLS != nil && got.TLS.ServerName != tc.want.TLS.ServerName {
			t.Errorf("ParseTarget(%s)\n got  %+v\n want %+v", tc.url, got, tc.want)
		}
	}
}

func TestParseTargetRejectsWithoutLeakingThePassword(t *testing.T) {
	for _, url := range []string{
		"redis+sentinel://:secret@h1,h2",                // no master name
		"redis+sentinel://:secret@h1/m/x",               // db not a number
		"redis+cluster://:secret@n1/3",                  // cluster db
		"redis+cluster://:secret@n1?db=1",               // cluster db
		"redis+cluster://:secret@n1?pasword=x",          // typo
		"memcached://:secret@h1",                        // scheme
		"redis+cluster://:secret@",                      // no host
		"redis+sentinel://:secret@h1/m/1/extra?x=%zz&y", // path and query
	} {
		_, err := ParseTarget(url)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseTarget(%s) = %v, want ErrBadURL", url, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestOptionsKindFromURL(t *testing.T) {
	for url, want := range map[string]Kind{
		"redis://127.0.0.1:6379":             Standalone,
		"redis+sentinel://127.0.0.1:26379/m": Sentinel,
		"redis+cluster://127.0.0.1:7000":     Cluster,
	} {
		o := Options{URL: url}
		if err := o.defaults(); err != nil {
			t.Fatal(err)
		}
		if o.Kind() != want {
			t.Errorf("%s: kind %v, want %v", url, o.Kind(), want)
		}
	}
}
