package target

import (
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
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
		got, err := Parse(tc.url)
		if err != nil {
			t.Errorf("Parse(%s): %v", tc.url, err)
			continue
		}
		if got.Kind != tc.want.Kind || !slices.Equal(got.Addrs, tc.want.Addrs) || got.MasterName != tc.want.MasterName ||
			got.Username != tc.want.Username || got.Password != tc.want.Password || got.DB != tc.want.DB ||
			got.SentinelUsername != tc.want.SentinelUsername || got.SentinelPassword != tc.want.SentinelPassword ||
			(got.TLS == nil) != (tc.want.TLS == nil) || got.TLS != nil && got.TLS.ServerName != tc.want.TLS.ServerName {
			t.Errorf("Parse(%s)\n got  %+v\n want %+v", tc.url, got, tc.want)
		}
	}
}

func TestParseRejectsWithoutLeakingThePassword(t *testing.T) {
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
		_, err := Parse(url)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("Parse(%s) = %v, want ErrBadURL", url, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestResolvedKindOfATargetBuiltInCode(t *testing.T) {
	for _, tc := range []struct {
		t    Target
		want Kind
	}{
		{Target{Addrs: []string{"a:1"}}, Standalone},
		{Target{Addrs: []string{"a:1"}, MasterName: "m"}, Sentinel},
		{Target{Addrs: []string{"a:1", "b:1"}}, Cluster},
		{Target{Kind: Cluster, Addrs: []string{"a:1"}}, Cluster},
	} {
		if got := tc.t.Resolved(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.t, got, tc.want)
		}
	}
}

// A one-server URL keeps go-redis's own query options; every node of a
// multi-host target gets TLS named after its own host.
func TestDataOptions(t *testing.T) {
	one := MustParse("redis://:pw@127.0.0.1:6380/2?dial_timeout=3s&protocol=2")
	o := one.DataOptions("127.0.0.1:6380")
	if o.DialTimeout != 3e9 || o.Protocol != 2 || o.Password != "pw" || o.DB != 2 {
		t.Errorf("standalone options %+v lost the URL's own options", o)
	}
	cl := MustParse("rediss+cluster://app:pw@n1:7000")
	o = cl.DataOptions("n2:7001")
	if o.TLSConfig == nil || o.TLSConfig.ServerName != "n2" || o.Username != "app" || cl.TLS.ServerName != "" {
		t.Errorf("cluster node options %+v: want TLS named n2 and the shared config untouched", o)
	}
	se := MustParse("rediss+sentinel://su:spw@s1/m?username=app&password=dpw")
	so := se.SentinelOptions("s1:26379")
	if so.Username != "su" || so.Password != "spw" || so.TLSConfig.ServerName != "s1" {
		t.Errorf("sentinel options %+v", so)
	}
	if se.String() != "rediss+sentinel://su:***@s1/m?password=***&username=app" {
		t.Errorf("String() = %s", se.String())
	}
}
