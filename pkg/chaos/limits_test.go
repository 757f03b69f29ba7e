package chaos

import (
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// Every JSON attribute of every fault type has a row in attrTable, and
// every row names a real attribute: nothing escapes the range check.
func TestEveryAttributeHasARange(t *testing.T) {
	for _, typ := range Types() {
		newFault := registry[typ]
		fields := jsonFieldIndex(reflect.TypeOf(newFault()).Elem())
		rows := map[string]bool{}
		for _, a := range attrTable[typ] {
			rows[a.Name] = true
			if _, ok := fields[a.Name]; !ok {
				t.Errorf("%s: attrTable lists %q, which the type does not have", typ, a.Name)
			}
			if a.Min > a.Max {
				t.Errorf("%s.%s: empty range %d..%d", typ, a.Name, a.Min, a.Max)
			}
		}
		for name := range fields {
			if !rows[name] {
				t.Errorf("%s: attribute %q has no range in attrTable", typ, name)
			}
		}
	}
}

// postJSON sends body to the API and returns the status and the body.
func postJSON(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The values of the report (each crashed the proxy or silently did nothing)
// and their neighbours are refused with 400 and the allowed range; the
// largest allowed values are accepted.
func TestAttributeRangesAreEnforcedByTheAPI(t *testing.T) {
	srv := redistest.Start(t)
	s, ts := startAPI(t)
	if _, err := s.CreateProxy(ProxyConfig{Name: "redis", Upstream: srv.Addr}); err != nil {
		t.Fatal(err)
	}
	url := ts.URL + "/proxies/redis/toxics"
	for _, tc := range []struct {
		body, want string
	}{
		{`{"type":"bandwidth","attributes":{"rate":18014398509481984}}`, "1–1073741824 KB/s"},
		{`{"type":"latency","attributes":{"jitter":4600000000000}}`, "jitter 4600000000000 out of range"},
		{`{"type":"latency","attributes":{"latency":10000000000000}}`, "0–86400000 ms"},
		{`{"type":"timeout","attributes":{"timeout":10000000000000}}`, "0–86400000 ms"},
		{`{"type":"delay","attributes":{"delay":10000000000000}}`, "0–86400000 ms"},
		{`{"type":"slow_close","attributes":{"delay":86400001}}`, "0–86400000 ms"},
		{`{"type":"slow_accept","attributes":{"delay":86400001}}`, "0–86400000 ms"},
		{`{"type":"reset_peer","attributes":{"timeout":-1}}`, "0–86400000 ms"},
		{`{"type":"restart","attributes":{"refuse":1,"loading":99999999999}}`, "loading 99999999999 out of range"},
		{`{"type":"slicer","attributes":{"average_size":4611686018427387906,"size_variation":4611686018427387905}}`, "1–67108864 bytes"},
		{`{"type":"slicer","attributes":{"average_size":10,"delay":86400000001}}`, "0–86400000000 µs"},
		{`{"type":"limit_data","attributes":{"bytes":1125899906842624}}`, "0–1099511627776 bytes"},
		{`{"type":"maxclients","attributes":{"limit":1000000001}}`, "0–1000000 connections"},
		{`{"type":"error","attributes":{"error":"MOVED","address":"10.0.0.1:6379\r\n+OK"}}`, "one line"},
		{`{"type":"error","attributes":{"message":"ERR a\u0000b"}}`, "control byte"},
		{`{"type":"error","attributes":{"error":"ASK","address":"nohost"}}`, "host:port"},
		{`{"type":"error","attributes":{"message":"ERR x","key":"` + strings.Repeat("k", 1025) + `"}}`, "≤ 1024 bytes"},
	} {
		status, body := postJSON(t, "POST", url, tc.body)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("POST %s: %d %s, want 400 naming %q", tc.body, status, body, tc.want)
		}
	}
	for _, ok := range []string{
		`{"name":"a","type":"bandwidth","attributes":{"rate":1073741824}}`,
		`{"name":"b","type":"latency","attributes":{"latency":86400000,"jitter":86400000}}`,
		`{"name":"c","type":"slicer","attributes":{"average_size":67108864,"size_variation":67108863,"delay":86400000000}}`,
	} {
		if status, body := postJSON(t, "POST", url, ok); status != http.StatusOK {
			t.Errorf("POST %s: %d %s, want 200", ok, status, body)
		}
	}
	// An update is checked the same way.
	status, body := postJSON(t, "PATCH", url+"/b", `{"attributes":{"jitter":86400001}}`)
	if status != http.StatusBadRequest || !strings.Contains(body, "0–86400000 ms") {
		t.Errorf("PATCH jitter: %d %s", status, body)
	}
}

// Every fault set at the ends of its ranges carries traffic (or holds it,
// as it should) without a panic: the data path handles every value the
// validation lets through. The proxy answers PING once the fault is gone.
func TestFaultsAtTheEndsOfTheirRangesDoNotPanic(t *testing.T) {
	_, p := startRedisProxy(t, nil)
	for _, typ := range Types() {
		for _, end := range []string{"min", "max"} {
			attrs := Attributes{}
			for _, a := range attrTable[typ] {
				switch {
				case a.Unit == "text":
				case end == "min":
					attrs[a.Name] = a.Min
				default:
					attrs[a.Name] = a.Max
				}
			}
			switch typ {
			case "slicer":
				attrs["size_variation"] = attrs["average_size"].(int64) - 1
			case "error":
				attrs["error"] = "ASK"
				attrs["address"] = "127.0.0.1:1"
			}
			if _, err := p.AddToxic(always("x", typ, StreamBoth, attrs)); err != nil {
				t.Errorf("%s at its %s: %v", typ, end, err)
				continue
			}
			nc, err := net.DialTimeout("tcp", p.Addr(), time.Second)
			if err == nil {
				_ = nc.SetDeadline(time.Now().Add(50 * time.Millisecond))
				_, _ = nc.Write([]byte("*2\r\n$4\r\nECHO\r\n$300\r\n" + strings.Repeat("v", 300) + "\r\nGET key\r\n"))
				_, _ = io.ReadAll(nc)
				_ = nc.Close()
			}
			if err := p.RemoveToxic("x"); err != nil {
				t.Fatal(err)
			}
			if err := client(t, p.Addr()).Ping(ctx(t)).Err(); err != nil {
				t.Fatalf("%s at its %s: PING after removing it: %v", typ, end, err)
			}
		}
	}
	if st := p.Stats(); st.Panics != 0 {
		t.Fatalf("panics = %d", st.Panics)
	}
}

// A value on the command line is held to the same ranges.
func TestParseToxicValuesMeetTheSameRanges(t *testing.T) {
	for _, spec := range []string{"latency,latency=1e13", "bandwidth,rate=18014398509481984", "latency,toxicity=NaN"} {
		tx, err := ParseToxic(spec)
		if err == nil {
			_, err = newInstance(tx, 1)
		}
		if err == nil {
			t.Errorf("%s accepted", spec)
		}
	}
}
