package health

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The readers against recorded responses of other services.
func TestDecodeRecorded(t *testing.T) {
	cases := []struct {
		file, contentType string
		code              int
		format            Format
		status            Status
		check             string // a check key that must be present
		checkStatus       Status
	}{
		{"ietf_warn.json", MediaType, 200, FormatHealthJSON, Warn, "cpu:utilization", Warn},
		{"actuator_up.json", "application/vnd.spring-boot.actuator.v3+json", 200, FormatActuator, Pass, "redis:status", Pass},
		{"actuator_down.json", "application/vnd.spring-boot.actuator.v3+json", 503, FormatActuator, Fail, "redis:status", Fail},
		{"actuator_down.json", "application/json", 503, FormatActuator, Fail, "readinessState:status", Fail},
		{"actuator_groups.json", "application/json", 200, FormatActuator, Pass, "readiness/db:status", Pass},
		{"readyz_verbose_fail.txt", "text/plain; charset=utf-8", 500, FormatKubernetes, Fail, "etcd:status", Fail},
		{"livez_verbose_ok.txt", "text/plain; charset=utf-8", 200, FormatKubernetes, Pass, "poststarthook/generic-apiserver-start-informers:status", Pass},
		{"livez_ok.txt", "text/plain; charset=utf-8", 200, FormatKubernetes, Pass, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			f, d, err := Decode(tc.code, tc.contentType, body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if f != tc.format || d.Status != tc.status {
				t.Errorf("Decode = %s %s, want %s %s", f, d.Status, tc.format, tc.status)
			}
			if tc.check == "" {
				return
			}
			if cs := d.Checks[tc.check]; len(cs) == 0 || cs[0].Status != tc.checkStatus {
				t.Errorf("check %s = %+v, want %s", tc.check, cs, tc.checkStatus)
			}
			for k, cs := range d.Checks { // the readers explain every problem
				if f != FormatHealthJSON && cs[0].Status != Pass && cs[0].Output == "" {
					t.Errorf("check %s is %s with no output", k, cs[0].Status)
				}
			}
		})
	}
}

func TestDecodeRedactsAndJudgesPlain(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "actuator_down.json"))
	_, d, _ := Decode(503, "application/json", body)
	if out := d.Checks["redis:status"][0].Output; strings.Contains(out, "hunter2") || !strings.Contains(out, "redis://:***@") {
		t.Errorf("actuator output not redacted: %q", out)
	}
	cases := []struct {
		code   int
		ct     string
		body   string
		format Format
		status Status
	}{
		{200, "text/html", "<html>fine</html>", FormatPlain, Pass},
		{204, "", "", FormatPlain, Pass},
		{503, "text/plain", "service unavailable", FormatPlain, Fail},
		{200, "application/json", `{"uptime": 5}`, FormatPlain, Pass},
		{503, MediaType, `{"status":"pass"}`, FormatHealthJSON, Fail}, // a 5xx never passes
		{200, "application/json", `{"status":"ok"}`, FormatHealthJSON, Pass},
		{200, "application/json", `{"status":"degraded"}`, FormatHealthJSON, Warn},
	}
	for _, tc := range cases {
		f, d, err := Decode(tc.code, tc.ct, []byte(tc.body))
		if err != nil || f != tc.format || d.Status != tc.status {
			t.Errorf("Decode(%d, %q) = %s %s %v, want %s %s", tc.code, tc.body, f, d.Status, err, tc.format, tc.status)
		}
	}
	for _, bad := range []string{`{"status":"sideways"}`, `{"status":`} {
		if _, _, err := Decode(200, "application/json", []byte(bad)); err == nil {
			t.Errorf("Decode(%q) = nil error", bad)
		}
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 3, "abc…"},
		{"ab→cd", 3, "ab…"}, // "→" is 3 bytes: not split
		{"ab→cd", 5, "ab→…"},
	} {
		got := truncate(tc.s, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
