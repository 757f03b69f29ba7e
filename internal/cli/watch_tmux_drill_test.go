package cli

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
)

// TestWatchTmuxDrillInAndOut runs `rescli watch` on two real servers in a
// real terminal (tmux, 80x24): the overview lists both, enter drills into
// one (its breaker and the server panel), esc comes back to the row it
// left, / filters, and the help bar stays on the last line throughout.
func TestWatchTmuxDrillInAndOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	a, b := redistest.Start(t), redistest.Start(t)
	bin := watchBuildRescli(t)
	x := newWatchTmux(t, 80, 24, fmt.Sprintf("%s watch --redis-url %s --redis-url %s --timeout 300ms", bin, a.URL(), b.URL()))
	row := func(addr string) string { return regexp.QuoteMeta(addr) + `\s+CLOSED\s+[0-9.]+/s` }
	helpLast := `^(?:[^\n]*\n){23}↑/↓ select • enter open • / filter[^\n]*\n?$`

	// The overview: both targets, each a row with its state and figures
	x.waitScreen("overview", `2 targets: 2 CLOSED`)
	x.waitScreen("row a, selected", `> `+row(a.Addr))
	x.waitScreen("row b", `  `+row(b.Addr))
	x.waitScreen("help bar last", helpLast)

	// ↓ enter: b's drill-down, with what its server says
	x.keys("Down")
	x.waitScreen("cursor on b", `> `+row(b.Addr))
	x.keys("Enter")
	x.waitScreen("drill-down of b", regexp.QuoteMeta(b.Addr)+` · in state`)
	x.waitScreen("server panel", `server: what Redis says · INFO every 1s`)
	x.waitScreen("server figures", `server  master `+regexp.QuoteMeta(b.Addr)+` · clients \d+`)
	x.waitScreen("drill-down help", `\? help • p pause • / filter • q quit • esc all targets`)
	if s := x.screen(); strings.Contains(s, a.Addr) {
		t.Errorf("b's drill-down shows a:\n%s", s)
	}

	// esc: back to the overview, the cursor still on b
	x.keys("Escape")
	x.waitScreen("back on b", `> `+row(b.Addr))
	x.waitScreen("help bar last again", helpLast)

	// / filters to a; enter opens it
	x.keys("/")
	x.keys(strings.Split(a.Addr, ":")[1])
	x.keys("Enter")
	x.waitScreen("filtered to a", `1 target: 1 CLOSED`)
	x.keys("Enter")
	x.waitScreen("drill-down of a", regexp.QuoteMeta(a.Addr)+` · in state`)
	x.keys("Escape")
	x.waitScreen("overview filtered", `> `+row(a.Addr))

	x.keys("q")
	watchWait(t, "session to end", func() string {
		if exec.Command(x.bin, "-S", x.sock, "has-session", "-t", x.session).Run() != nil {
			return "ended"
		}
		return x.screen()
	}, regexp.MustCompile(`^ended$`), 15*time.Second)
}
