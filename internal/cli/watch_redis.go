package cli

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/tui"
)

// watchTargetName names the Redis target's breaker on screen and in events.
const watchTargetName = "redis"

// watchSource produces the events of one watch session.
type watchSource interface {
	describe() string
	targets() []string
	faults() tui.FaultController // nil unless --chaos
	// run emits events until ctx is done; emit reports false once it is.
	run(ctx context.Context, emit func(tea.Msg) bool)
	close()
}

// watchRedis probes one Redis target through its own manager, optionally
// through an in-process chaos proxy.
type watchRedis struct {
	o     *watchOptions
	label string
	mini  *miniredis.Miniredis
	proxy *chaos.Proxy
	ctrl  *watchFaults
	m     *manager.Manager
}

func newWatchRedis(o *watchOptions) (_ *watchRedis, err error) {
	w := &watchRedis{o: o}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	url := o.g.RedisURL
	if url == "" {
		w.mini = miniredis.NewMiniRedis()
		if err := w.mini.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		url = "redis://" + w.mini.Addr()
	}
	tgt, err := manager.ParseTarget(url) // every URL form: redis://, rediss://, redis+sentinel://, redis+cluster://
	if err != nil {
		return nil, Usagef("%s", redact.String(err.Error()))
	}
	if o.chaos && tgt.Kind != manager.Standalone {
		return nil, Usagef("--chaos puts one proxy in front of one server: use a redis:// target, not %s", redact.URL(url))
	}
	w.label = redact.URL(url)
	if w.mini != nil {
		w.label = "embedded Redis (miniredis) " + w.mini.Addr()
	}
	var dial manager.DialFunc
	if o.chaos {
		w.proxy = chaos.NewProxy("watch", "127.0.0.1:0", tgt.Addrs[0])
		if err := w.proxy.Start(); err != nil {
			return nil, fmt.Errorf("start chaos proxy: %w", err)
		}
		w.ctrl = &watchFaults{p: w.proxy}
		d := &net.Dialer{Timeout: o.timeout}
		// The manager speaks TLS over this dialer for a rediss:// target,
		// verified against the upstream's name (the URL's TLS config names it).
		dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, w.proxy.Addr())
		}
	}
	w.m, err = manager.New(manager.Options{
		Name: "rescli-watch", URL: url, Dialer: dial,
		PoolSize: 2, DialTimeout: o.timeout, ReadTimeout: o.timeout, WriteTimeout: o.timeout,
		Breaker: manager.BreakerSettings{
			FailureThreshold: o.failures, OpenTimeout: o.openWait, MaxOpenTimeout: o.maxOpen,
		},
		Retry:          manager.RetrySettings{MaxAttempts: 2},
		HealthInterval: 5 * time.Second,
		ProbeInterval:  500 * time.Millisecond,
	})
	if err != nil {
		return nil, Usagef("%v", err)
	}
	return w, nil
}

func (w *watchRedis) describe() string {
	s := w.label
	if w.proxy != nil {
		s += " via chaos proxy " + w.proxy.Addr()
	}
	return s + fmt.Sprintf(" · probe %g/s", w.o.rate)
}

func (w *watchRedis) targets() []string { return []string{watchTargetName} }

func (w *watchRedis) faults() tui.FaultController {
	if w.ctrl == nil {
		return nil // a nil *watchFaults in the interface would not be nil
	}
	return w.ctrl
}

func (w *watchRedis) run(ctx context.Context, emit func(tea.Msg) bool) {
	sub := w.m.Subscribe(64)
	defer sub.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.probe(ctx)
	}()
	defer wg.Wait()
	tick := time.NewTicker(w.o.refresh)
	defer tick.Stop()
	for w.sample(emit) {
		select {
		case <-ctx.Done():
			return
		case t, ok := <-sub.C:
			if !ok || !emit(tui.TransitionMsg{Target: watchTargetName, Transition: t}) {
				return
			}
		case <-tick.C:
		}
	}
}

func (w *watchRedis) sample(emit func(tea.Msg) bool) bool {
	if !emit(tui.SampleMsg{Target: watchTargetName, At: time.Now(), Snap: w.m.Snapshot()}) {
		return false
	}
	if w.ctrl != nil {
		return emit(tui.FaultsMsg{Active: w.ctrl.active()})
	}
	return true
}

// probe sends one PING at a time, --rate per second at most: while Redis
// hangs the probe waits, it never piles up requests.
func (w *watchRedis) probe(ctx context.Context) {
	t := time.NewTicker(time.Duration(float64(time.Second) / w.o.rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, 2*w.o.timeout)
		_ = w.m.Do(pctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Ping(ctx).Err() })
		cancel()
	}
}

// close removes every fault first, then closes the manager, the proxy and
// the embedded server.
func (w *watchRedis) close() {
	if w.ctrl != nil {
		w.ctrl.clear()
	}
	if w.m != nil {
		_ = w.m.Close()
	}
	if w.proxy != nil {
		_ = w.proxy.Close()
	}
	if w.mini != nil {
		w.mini.Close()
	}
}
