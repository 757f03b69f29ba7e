package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rescli/rescli/pkg/health"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

// watchServices polls running services' /health/redis and /health/services
// and reports each service's breaker as one target.
type watchServices struct {
	o       *watchOptions
	http    *http.Client
	clients []*health.Client // one per service: each context has its own token
	urls    []string         // base URLs, no trailing slash
	names   []string
	prev    []watchSeen
}

// watchSeen is what the previous poll saw of one service's breaker, to
// turn changes between polls into transitions.
type watchSeen struct {
	ok          bool
	state       manager.State
	trips, recs uint64
	// lastAt is the service's time of the newest transition reported.
	lastAt time.Time
}

func newWatchServices(o *watchOptions, specs []watchServiceSpec) *watchServices {
	// an own transport, so that close leaves no idle connection behind
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	w := &watchServices{o: o, http: hc}
	for _, s := range specs {
		w.clients = append(w.clients, &health.Client{HTTP: hc, Token: s.token, Timeout: o.timeout})
		w.urls = append(w.urls, strings.TrimRight(s.url, "/"))
		w.names = append(w.names, s.name)
	}
	w.prev = make([]watchSeen, len(w.urls))
	return w
}

func (w *watchServices) describe() string {
	return fmt.Sprintf("%d services · /health/redis every %s", len(w.urls), w.o.refresh)
}

func (w *watchServices) targets() []string           { return w.names }
func (w *watchServices) faults() tui.FaultController { return nil }
func (w *watchServices) close()                      { w.http.CloseIdleConnections() }

func (w *watchServices) run(ctx context.Context, emit func(tea.Msg) bool) {
	tick := time.NewTicker(w.o.refresh)
	defer tick.Stop()
	for {
		for _, msg := range w.poll(ctx) {
			if !emit(msg) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// poll reads every service at once and returns their transitions (seen as
// changes since the previous poll) and samples, in the services' order.
func (w *watchServices) poll(ctx context.Context) []tea.Msg {
	samples := make([]tui.SampleMsg, len(w.urls))
	var wg sync.WaitGroup
	for i := range w.urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i] = w.read(ctx, i)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	var out []tea.Msg
	for i, s := range samples {
		seen := w.changes(i, s)
		if len(seen) > 0 { // the service's own records have every step and its reasons
			if recs := w.recorded(ctx, i); len(recs) > 0 {
				seen = recs
			} else {
				w.prev[i].lastAt = watchLater(w.prev[i].lastAt, s.Snap.StateSince)
			}
		}
		out = append(append(out, seen...), s)
	}
	return out
}

// read fetches one service's Redis view and its services' statuses.
func (w *watchServices) read(ctx context.Context, i int) tui.SampleMsg {
	res, err := w.clients[i].Fetch(ctx, w.urls[i]+health.PathRedis, true)
	s := tui.SampleMsg{Target: w.names[i], At: time.Now()}
	switch {
	case err != nil:
		s.Err = err.Error()
		return s
	case res.Doc.Redis == nil:
		s.Err = "no redis view in " + res.URL
		return s
	}
	if _, ok := watchParseState(res.Doc.Redis.State); !ok {
		s.Err = fmt.Sprintf("unknown breaker state %q in %s", res.Doc.Redis.State, res.URL)
		return s
	}
	s.Snap = watchSnapshot(res.Doc.Redis)
	if svc, err := w.clients[i].Fetch(ctx, w.urls[i]+health.PathServices, true); err == nil {
		s.Detail = watchServicesDetail(svc.Doc)
	} else if !errors.Is(err, health.ErrNotFound) {
		s.Detail = "services: " + err.Error()
	}
	return s
}

// changes turns what changed since the previous poll into transitions. A
// poll sees states, not every step between them: trips or recoveries that
// grew while the state looks the same are reported as a round trip.
func (w *watchServices) changes(i int, s tui.SampleMsg) []tea.Msg {
	prev := w.prev[i]
	if s.Err != "" {
		return nil // keep the last state seen; the tile says UNKNOWN
	}
	cur := watchSeen{ok: true, state: s.Snap.State, trips: s.Snap.Trips, recs: s.Snap.Recoveries,
		lastAt: prev.lastAt}
	if !prev.ok {
		cur.lastAt = s.Snap.StateSince // what happened before watch started is not news
	}
	w.prev[i] = cur
	if !prev.ok {
		return nil
	}
	t := manager.Transition{From: prev.state, To: cur.state, At: s.At, Reason: "seen on " + health.PathRedis}
	if since := s.Snap.StateSince; !since.IsZero() && since.Before(s.At) {
		t.At = since // the service's own time of the change, not the poll's
	}
	switch {
	case cur.state.Forced(): // an operator's choice: say theirs, not the last failure
		if s.Snap.StateReason != "" {
			t.Reason = s.Snap.StateReason
		}
	case cur.state != manager.Closed:
		t.Err = s.Snap.LastError
	}
	switch {
	case prev.state != cur.state:
	case cur.trips > prev.trips:
		t.Reason = fmt.Sprintf("tripped %d time(s) between polls", cur.trips-prev.trips)
	case cur.recs > prev.recs:
		t.Reason = fmt.Sprintf("recovered %d time(s) between polls", cur.recs-prev.recs)
	default:
		return nil
	}
	if !s.Snap.NextProbe.IsZero() {
		t.OpenFor = s.Snap.NextProbe.Sub(s.At)
	}
	return []tea.Msg{tui.TransitionMsg{Target: s.Target, Transition: t}}
}

// recorded fetches /health/detailed and returns the breaker transitions the
// service recorded since the newest one reported, oldest first.
func (w *watchServices) recorded(ctx context.Context, i int) []tea.Msg {
	res, err := w.clients[i].Fetch(ctx, w.urls[i]+health.PathDetailed, true)
	if err != nil {
		return nil
	}
	var out []tea.Msg
	since := w.prev[i].lastAt
	for _, r := range res.Doc.Transitions {
		from, okFrom := watchParseState(r.From)
		to, okTo := watchParseState(r.To)
		if r.Component != "redis" || !okFrom || !okTo || !r.At.After(since) {
			continue
		}
		out = append(out, tui.TransitionMsg{Target: w.names[i],
			Transition: manager.Transition{From: from, To: to, At: r.At, Reason: r.Reason}})
		w.prev[i].lastAt = watchLater(w.prev[i].lastAt, r.At)
	}
	return out
}

func watchLater(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
