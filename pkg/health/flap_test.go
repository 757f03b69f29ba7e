package health

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/manager"
)

// changeLog is a slog handler that keeps every "health status changed"
// record as "from→to".
type changeLog struct {
	mu      sync.Mutex
	changes []string
	why     []string
}

func (l *changeLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *changeLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *changeLog) WithGroup(string) slog.Handler            { return l }
func (l *changeLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "health status changed" {
		return nil
	}
	var from, to, why string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "from":
			from = a.Value.String()
		case "to":
			to = a.Value.String()
		case "reason":
			why = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.changes = append(l.changes, from+"→"+to)
	l.why = append(l.why, r.Time.Format("15:04:05.000000")+" "+from+"→"+to+": "+why)
	l.mu.Unlock()
	return nil
}

func (l *changeLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.changes...)
}

// Given load balancers polling /health from several connections at once,
// when Redis dies (the breaker opens) and comes back (it closes), the
// status changes once each way: pass→warn, then warn→pass. It once logged
// pass→warn→pass→warn within 2 ms as the breaker opened: a request that
// judged the old state recorded it after one that judged the new state.
func TestHealthStatusDoesNotFlapOnBreakerTransitions(t *testing.T) {
	t.Run("killed", func(t *testing.T) {
		srv := redistest.Start(t)
		statusChangesOverOutage(t, srv, srv.Kill, srv.Restart)
	})
	t.Run("paused", func(t *testing.T) { // a hang, not a refusal
		srv := redistest.Start(t)
		defer srv.Resume()
		statusChangesOverOutage(t, srv, srv.Pause, srv.Resume)
	})
}

func statusChangesOverOutage(t *testing.T, srv *redistest.Server, down, up func()) {
	m := fastManager(t, srv.URL(), 300*time.Millisecond)
	log := &changeLog{}
	c, err := New(Options{Manager: m, Interval: 100 * time.Millisecond, Timeout: 300 * time.Millisecond,
		// A slow PING under -race must not be a (genuine) change of its own.
		Thresholds: Thresholds{ResponseTime: 10 * time.Second},
		Logger:     slog.New(log)})
	if err != nil {
		t.Fatal(err)
	}
	startChecker(t, c)
	ts := serve(t, c)

	// Load balancers: several pollers, each recording what it sees.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	seen := make([][]Status, 4)
	for i := range seen {
		wg.Go(func() {
			hc := &http.Client{Transport: &http.Transport{}}
			defer hc.CloseIdleConnections()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+PathBasic, nil)
				resp, err := hc.Do(req)
				if err != nil {
					continue
				}
				var st Status = Fail
				if resp.StatusCode == http.StatusOK {
					st = Warn
					if b := readAll(resp); strings.Contains(b, `"status":"pass"`) {
						st = Pass
					}
				}
				resp.Body.Close()
				if n := len(seen[i]); n == 0 || seen[i][n-1] != st {
					seen[i] = append(seen[i], st)
				}
			}
		})
	}
	defer func() { stop(); wg.Wait() }()

	eventually(t, "pass with Redis up", func() bool { return c.Basic().Status == Pass })
	before := len(log.list())

	// When Redis dies, the breaker opens; then Redis comes back.
	down()
	eventually(t, "breaker open", func() bool { return m.State() == manager.Open })
	eventually(t, "warn", func() bool { return c.Basic().Status == Warn })
	up()
	eventually(t, "breaker closed", func() bool { return m.State() == manager.Closed })
	eventually(t, "pass again", func() bool { return c.Basic().Status == Pass })
	time.Sleep(300 * time.Millisecond) // let pollers see the end state
	stop()
	wg.Wait()

	// Then the log has exactly one change each way.
	got := log.list()[before:]
	if strings.Join(got, " ") != "pass→warn warn→pass" {
		t.Errorf("status changes across one outage = %q, want [pass→warn warn→pass]; log:\n%s", got, log.reasons())
	}
	for i, s := range seen {
		if strings.Count(string(joinStatus(s)), "pass") > 2 {
			t.Errorf("poller %d saw %v, want at most pass, warn, pass", i, s)
		}
	}
}

func (l *changeLog) reasons() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.why, "\n")
}

func joinStatus(s []Status) string {
	var b strings.Builder
	for _, st := range s {
		b.WriteString(string(st) + " ")
	}
	return b.String()
}

func readAll(resp *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
