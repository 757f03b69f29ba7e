package chaos

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseToxic(t *testing.T) {
	got, err := ParseToxic("error,error=LOADING,command=get|mget,key=user:*,toxicity=0.25,name=e")
	want := Toxic{Name: "e", Type: "error", Toxicity: 0.25,
		Attributes: Attributes{"error": "LOADING", "command": "get|mget", "key": "user:*"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseToxic = %+v, %v; want %+v", got, err, want)
	}
	got, err = ParseToxic("latency,latency=100,stream=both")
	if err != nil || got.Attributes["latency"] != int64(100) || got.Stream != "both" || got.Toxicity != 1 {
		t.Fatalf("ParseToxic latency = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "latency=1", "latency,oops", "latency,toxicity=x"} {
		if _, err := ParseToxic(bad); err == nil {
			t.Errorf("ParseToxic(%q) accepted", bad)
		}
	}
	// A parsed spec must build: attribute types survive the JSON round trip.
	tx, _ := ParseToxic("slicer,average_size=10,size_variation=2,delay=5")
	if _, err := NewFault(tx.Type, tx.Attributes); err != nil {
		t.Fatalf("NewFault from a parsed spec: %v", err)
	}
	if _, err := NewFault("latency", Attributes{"latency": "x"}); !errors.Is(err, ErrBadAttributes) {
		t.Fatalf("string latency: %v", err)
	}
}

func TestDescribeNamesWhereAndAttributes(t *testing.T) {
	for typ, want := range map[string]string{
		"latency":    "latency (bytes): latency 0–86400000 ms, jitter 0–86400000 ms",
		"timeout":    "timeout (bytes, connection): timeout 0–86400000 ms",
		"error":      "error (requests): error ≤ 16 bytes, message ≤ 4096 bytes, address ≤ 261 bytes, command ≤ 1024 bytes, key ≤ 1024 bytes",
		"maxclients": "maxclients (accept): limit 0–1000000 connections",
		"down":       "down (proxy): no attributes",
	} {
		if got := Describe(typ); got != want {
			t.Errorf("Describe(%q) = %q, want %q", typ, got, want)
		}
	}
	for _, typ := range Types() {
		if Describe(typ) == "" {
			t.Errorf("Describe(%q) is empty", typ)
		}
	}
}
