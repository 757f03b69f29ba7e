package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testSymbol matches a symbol of package testing (testing.init,
// type:*testing.T, ...) or of the test helpers, but not of a package whose
// path only ends in "testing".
var testSymbol = regexp.MustCompile(`(^|[^A-Za-z0-9_/.])testing\.|/internal/redistest\.`)

// The shipped binary carries no test code: rescli dev starts its
// deployments with internal/localredis, and nothing else may pull in the
// testing package or the test helpers built on it.
func TestBinaryLinksNoTestCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not in PATH: cannot build the binary and read its symbol table")
	}
	bin := filepath.Join(t.TempDir(), "rescli")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(goTool, "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	var found []string
	lines := strings.Split(string(out), "\n")
	for _, line := range lines {
		// "address type name"; a name may hold spaces (type:func(string) error).
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		if len(f) == 3 && testSymbol.MatchString(f[2]) {
			found = append(found, f[2])
		}
	}
	if len(lines) < 1000 {
		t.Fatalf("go tool nm listed only %d symbols: not a symbol table", len(lines))
	}
	if n := len(found); n > 0 {
		if n > 10 {
			found = append(found[:10], "...")
		}
		t.Fatalf("the binary links test code (%d symbols), e.g.:\n%s\n(go list -deps ./cmd/rescli | grep -E 'testing|redistest' shows the import path)",
			n, strings.Join(found, "\n"))
	}
}
