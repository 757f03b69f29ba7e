package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/manager"
	"github.com/rescli/rescli/pkg/redisstat"
	"github.com/rescli/rescli/pkg/rig"
	"github.com/rescli/rescli/pkg/target"
	"github.com/rescli/rescli/pkg/tui"
)

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
	name  string // on screen and in events
	label string
	mini  *miniredis.Miniredis
	rig   *rig.Rig
	ctrl  *watchFaults
	m     *manager.Manager
	// stat reads what the server says of itself, over its own connections
	// (never through the chaos proxies); nil with --server-interval 0.
	stat *redisstat.Sampler
}

// newWatchRedis sets up the target r: its manager (behind chaos proxies
// with --chaos) and its server sampler; r.url "" is an embedded Redis.
func newWatchRedis(o *watchOptions, r watchRedisSpec) (_ *watchRedis, err error) {
	w := &watchRedis{o: o, name: r.name}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	url := r.url
	if url == "" {
		w.mini = miniredis.NewMiniRedis()
		if err := w.mini.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		url = "redis://" + w.mini.Addr()
	}
	tgt, err := target.Parse(url) // every URL form: redis://, rediss://, redis+sentinel://, redis+cluster://
	if err != nil {
		return nil, Usagef("%s", err)
	}
	w.label = tgt.String()
	if w.mini != nil {
		w.label = "embedded Redis (miniredis) " + w.mini.Addr()
	}
	if o.server > 0 {
		w.stat = redisstat.New(tgt, redisstat.Options{Every: o.server,
			MasterHint: func() string { return w.m.Snapshot().Master }})
	}
	mo := manager.Options{
		Name: "rescli-watch", Target: tgt,
		PoolSize: 2, DialTimeout: o.timeout, ReadTimeout: o.timeout, WriteTimeout: o.timeout,
		Breaker: manager.BreakerSettings{
			FailureThreshold: o.failures, OpenTimeout: o.openWait, MaxOpenTimeout: o.maxOpen,
		},
		Retry:          manager.RetrySettings{MaxAttempts: 2},
		HealthInterval: 5 * time.Second,
		ProbeInterval:  500 * time.Millisecond,
	}
	if !o.chaos {
		if w.m, err = manager.New(mo); err != nil {
			return nil, Usagef("%v", err)
		}
		return w, nil
	}
	// --chaos: a proxy in front of every node; the manager speaks TLS over
	// the rig's dialer for a rediss:// target, verified against each node's
	// own name.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if w.rig, err = rig.New(ctx, tgt, rig.Options{Name: "watch"}); err != nil {
		return nil, fmt.Errorf("start chaos proxies: %w", err)
	}
	w.ctrl = &watchFaults{r: w.rig}
	if w.m, err = w.rig.Manager(mo); err != nil {
		return nil, Usagef("%v", err)
	}
	return w, nil
}

func (w *watchRedis) describe() string {
	s := w.label
	if w.rig != nil {
		var addrs []string
		for _, p := range w.rig.Proxies() {
			addrs = append(addrs, p.Addr())
		}
		s += " via chaos prox" + map[bool]string{true: "y ", false: "ies "}[len(addrs) == 1] + strings.Join(addrs, ",")
	}
	return s + fmt.Sprintf(" · probe %g/s", w.o.rate)
}

func (w *watchRedis) targets() []string { return []string{w.name} }

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
	wg.Go(func() { w.probe(ctx) })
	if w.stat != nil {
		wg.Go(func() { w.sampleServer(ctx, emit) })
	}
	defer wg.Wait()
	tick := time.NewTicker(w.o.refresh)
	defer tick.Stop()
	for w.sample(emit) {
		select {
		case <-ctx.Done():
			return
		case t, ok := <-sub.C:
			if !ok || !emit(tui.TransitionMsg{Target: w.name, Transition: t}) {
				return
			}
		case <-tick.C:
		}
	}
}

func (w *watchRedis) sample(emit func(tea.Msg) bool) bool {
	if !emit(tui.SampleMsg{Target: w.name, At: time.Now(), Snap: w.m.Snapshot()}) {
		return false
	}
	if w.ctrl != nil {
		return emit(tui.FaultsMsg{Active: w.ctrl.active()})
	}
	return true
}

// sampleServer reads the server's side every --server-interval: at most
// one INFO per node per interval, whatever the screen's refresh.
func (w *watchRedis) sampleServer(ctx context.Context, emit func(tea.Msg) bool) {
	t := time.NewTicker(w.stat.Every())
	defer t.Stop()
	for {
		if s := w.stat.Sample(ctx); ctx.Err() != nil || !emit(tui.ServerMsg{Target: w.name, Sample: s}) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
	if w.stat != nil {
		w.stat.Close()
	}
	if w.m != nil {
		_ = w.m.Close()
	}
	if w.rig != nil {
		_ = w.rig.Close()
	}
	if w.mini != nil {
		w.mini.Close()
	}
}
