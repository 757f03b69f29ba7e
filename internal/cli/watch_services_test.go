package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// watchStartServe runs `rescli serve` as a process on a free port and returns
// its base URL.
func watchStartServe(t *testing.T, bin, redisURL, token string) string {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--redis-url", redisURL,
		"--health-interval", "200ms", "--open-timeout", "500ms", "--workers", "2", "--rate", "20")
	cmd.Env = append(os.Environ(), envAdminToken+"="+token)
	log := &watchBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	read := func() string {
		b, _ := os.ReadFile(addrFile)
		return string(b)
	}
	return strings.TrimSpace(watchWait(t, "serve listening", read, regexp.MustCompile(`^http://\S+`), 20*time.Second))
}

// TestWatchServicesMode: watch --service polls two running `rescli serve`
// processes and reports both breakers opening when their Redis dies and
// closing when it is back.
func TestWatchServicesMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two services")
	}
	watchNoLeaks(t)
	srv := redistest.Start(t)
	bin := watchBuildRescli(t)
	a, b := watchStartServe(t, bin, srv.URL(), "s3cret"), watchStartServe(t, bin, srv.URL(), "s3cret")
	out, errOut, stop := watchStart(t, "watch", "-o", "json", "--service", a, "--service", b, "--token", "s3cret",
		"--refresh", "100ms", "--summary", "200ms")
	names := []string{strings.TrimPrefix(a, "http://"), strings.TrimPrefix(b, "http://")}
	for _, n := range names {
		watchWait(t, n+" closed", out.String, regexp.MustCompile(`"target":"`+regexp.QuoteMeta(n)+`",[^\n]*"state":"CLOSED"`), 20*time.Second)
	}
	srv.Kill()
	for _, n := range names {
		watchWait(t, n+" open", out.String, regexp.MustCompile(`"type":"transition"[^\n]*"target":"`+regexp.QuoteMeta(n)+`","from":"CLOSED","to":"OPEN"`), 20*time.Second)
	}
	srv.Restart()
	for _, n := range names {
		watchWait(t, n+" closed again", out.String, regexp.MustCompile(`"type":"transition"[^\n]*"target":"`+regexp.QuoteMeta(n)+`","from":"(OPEN|HALF_OPEN)","to":"CLOSED"`), 20*time.Second)
	}
	if err := stop(); err != nil {
		t.Fatalf("watch: %v (stderr %s)", err, errOut.String())
	}
	recorded := 0 // transitions with the service's own reason, from /health/detailed
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev struct{ Type, Reason string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Errorf("not JSON: %q", l)
		}
		if ev.Type == "transition" && !strings.HasPrefix(ev.Reason, "seen on") && !strings.Contains(ev.Reason, "between polls") {
			recorded++
		}
	}
	if recorded == 0 {
		t.Errorf("no transition carries the service's recorded reason:\n%s", out.String())
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Error("the token is in the output")
	}
}

// TestWatchServicesWrongToken: a service that refuses the token is shown
// as UNKNOWN with the reason, never as a guessed state.
func TestWatchServicesWrongToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a service")
	}
	watchNoLeaks(t)
	srv := redistest.Start(t)
	a := watchStartServe(t, watchBuildRescli(t), srv.URL(), "right")
	out, _, stop := watchStart(t, "watch", "--service", a, "--token", "wrong", "--refresh", "100ms", "--summary", "100ms")
	watchWait(t, "unknown", out.String, regexp.MustCompile(`state=UNKNOWN error=".*403.*"`), 20*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
