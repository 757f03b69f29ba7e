package redisinfo

import "testing"

func TestParse(t *testing.T) {
	f := Parse("# Clients\r\nconnected_clients:3\r\nmaxclients:10\r\n\r\n# Replication\nslave0:ip=127.0.0.1,port=7001,state=online\nrole:master")
	if f["connected_clients"] != "3" || f.Int("maxclients") != 10 || f["role"] != "master" {
		t.Fatalf("Parse = %v", f)
	}
	if f["slave0"] != "ip=127.0.0.1,port=7001,state=online" { // only the first colon splits
		t.Fatalf("slave0 = %q", f["slave0"])
	}
	if _, ok := f["# Clients"]; ok || f.Int("missing") != 0 || f.Int("role") != 0 {
		t.Fatalf("headers or non-numbers leaked: %v", f)
	}
}
