package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"redis://:s3cret@host:6379", "redis://:***@host:6379"},
		{"redis://alice:s3cret@host:6379/2", "redis://alice:***@host:6379/2"},
		{"rediss://s3cret@host:6380", "rediss://***@host:6380"},
		{"redis://host:6379", "redis://host:6379"},
		{"redis://host:6379?password=s3cret&dial_timeout=1s", "redis://host:6379?dial_timeout=1s&password=***"},
		{"redis+sentinel://:s3cret@h1:26379,h2:26379/mymaster", "redis+sentinel://:***@h1:26379,h2:26379/mymaster"},
		{"redis://:p%ss@host", "redis://***@host"}, // does not parse: masked wholesale
		{"127.0.0.1:6379", "127.0.0.1:6379"},
		{"redis+sentinel://u:s3cret@h1,h2/m?password=s3cret&sentinel_password=s3cret",
			"redis+sentinel://u:***@h1,h2/m?password=***&sentinel_password=***"},
		{"redis+cluster://a:s3cret@n1:7000,n2:7001", "redis+cluster://a:***@n1:7000,n2:7001"},
		// Go's parser refuses a host list ending without a port: masked by pattern.
		{"rediss+cluster://n1:7000,n2?password=s3cret&x=1", "rediss+cluster://n1:7000,n2?password=***&x=1"},
		{"redis+sentinel://:s3cret@h1:1,h2/m?PASSWORD=s3cret", "redis+sentinel://***@h1:1,h2/m?PASSWORD=***"},
	} {
		got := URL(tc.in)
		if got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p%ss") {
			t.Errorf("URL(%q) leaks the secret: %q", tc.in, got)
		}
	}
}

func TestString(t *testing.T) {
	in := `dial redis://u:hunter2@10.0.0.1:6379: connection refused (also "rediss://:x@y:1")`
	got := String(in)
	if strings.Contains(got, "hunter2") || strings.Contains(got, ":x@") {
		t.Fatalf("String leaked a secret: %q", got)
	}
	if !strings.Contains(got, "redis://u:***@10.0.0.1:6379:") {
		t.Fatalf("String = %q", got)
	}
}
