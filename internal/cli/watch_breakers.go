package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/tui"
)

// watchBreakers lets the TUI force a watched service's breaker open, or
// reset it, through the service's POST /admin/breaker with its admin
// token. It serves the services that have one; for the others (and for
// Redis targets, whose breaker is watch's own probe) o is not offered.
type watchBreakers struct {
	services []*watchServices
	getenv   func(string) string
	now      func() time.Time
}

// breakers is the controller of src's services, or nil when none has an
// admin token to send.
func breakers(src watchSource, getenv func(string) string) tui.BreakerController {
	var sources []watchSource
	if m, ok := src.(*watchMulti); ok {
		sources = m.sources
	} else {
		sources = []watchSource{src}
	}
	b := &watchBreakers{getenv: getenv, now: time.Now}
	for _, s := range sources {
		if ws, ok := s.(*watchServices); ok && slices.ContainsFunc(ws.clients, func(c *health.Client) bool { return c.Token != "" }) {
			b.services = append(b.services, ws)
		}
	}
	if len(b.services) == 0 {
		return nil
	}
	return b
}

// reason names who forced the breaker, from where and when, for the
// service's log and health documents.
func (b *watchBreakers) reason() string {
	who := b.getenv("USER")
	if host, err := os.Hostname(); err == nil {
		who += "@" + host
	}
	r := fmt.Sprintf("forced open from rescli watch by %s at %s", who, b.now().Format("15:04:05"))
	if health.CheckReason(r, true) != nil { // a user or host name that is not fit to send
		r = "forced open from rescli watch at " + b.now().Format("15:04:05")
	}
	return r
}

// ForceOpen implements tui.BreakerController.
func (b *watchBreakers) ForceOpen(target string) (string, error) {
	reason := b.reason()
	return reason, b.act(target, health.ActionForceOpen, reason)
}

// Reset implements tui.BreakerController.
func (b *watchBreakers) Reset(target string) error {
	return b.act(target, health.ActionReset, "reset from rescli watch")
}

func (b *watchBreakers) act(target, action, reason string) error {
	for _, ws := range b.services {
		if i := slices.Index(ws.names, target); i >= 0 {
			if ws.clients[i].Token == "" {
				return fmt.Errorf("no admin token for %s: give --token (or the context's token)", target)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := ws.clients[i].BreakerAction(ctx, ws.urls[i], "", action, reason)
			return err
		}
	}
	return fmt.Errorf("%s is not a service watch reads through its health endpoints: only a service's breaker can be forced", target)
}
