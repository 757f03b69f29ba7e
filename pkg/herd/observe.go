package herd

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/target"
)

// observeEvery is how often an observer samples the server's own count.
const observeEvery = 20 * time.Millisecond

// observer reads a real server's own client counters during a strategy:
// before it, every observeEvery while it runs (the peak), and after its
// connections closed. It holds one connection per node, made before the
// herd starts: a server full of the herd's connections refuses new ones,
// INFO's included.
type observer struct {
	s       *server
	clients []*redis.Client
	before  serverStats
	done    chan struct{}
	stopped chan struct{}

	mu   sync.Mutex
	peak int64 // most connected_clients seen
}

// startObserver reads the counters before the herd and starts sampling.
// It returns nil for the embedded server, or when the server cannot be
// read now (a herd started during an outage has no server view).
func (s *server) startObserver(ctx context.Context) *observer {
	if s.mini != nil {
		return nil
	}
	o := &observer{s: s, done: make(chan struct{}), stopped: make(chan struct{})}
	for _, addr := range s.upstreams() {
		opts := target.ToolOptions(s.tgt.DataOptions(addr))
		opts.Protocol, opts.PoolSize = 2, 1
		// A full server refuses our connection too; count those so they
		// are not reported as the herd's rejections.
		observeDials(opts, nil, func() { s.ownRejections.Add(1) })
		o.clients = append(o.clients, redis.NewClient(opts))
	}
	before, err := o.read(ctx)
	if err != nil {
		o.close()
		return nil
	}
	o.before, o.peak = *before, before.ConnectedClients
	go o.sample()
	return o
}

// read sums INFO clients and stats over the nodes.
func (o *observer) read(ctx context.Context) (*serverStats, error) {
	sum := &serverStats{}
	for _, c := range o.clients {
		st, err := nodeStats(ctx, c)
		if err != nil {
			return nil, err
		}
		sum.ConnectedClients += st.ConnectedClients
		sum.RejectedConnections += st.RejectedConnections
		sum.MaxClients += st.MaxClients
	}
	return sum, nil
}

func (o *observer) sample() {
	defer close(o.stopped)
	t := time.NewTicker(observeEvery)
	defer t.Stop()
	for {
		select {
		case <-o.done:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			st, err := o.read(ctx)
			cancel()
			if err == nil {
				o.mu.Lock()
				o.peak = max(o.peak, st.ConnectedClients)
				o.mu.Unlock()
			}
		}
	}
}

// finish stops sampling, waits until the server's client count falls back
// to where it was before (so one strategy's closing connections do not
// count against the next; at most drainWait) and returns the server's view.
// own is ownRejections when the strategy began.
func (o *observer) finish(ctx context.Context, own int64) *ServerDelta {
	close(o.done)
	<-o.stopped
	defer o.close()
	deadline := time.Now().Add(drainWait)
	var after *serverStats
	for {
		st, err := o.read(ctx) // fails while the server is still full: keep trying
		if err == nil {
			after = st
			if st.ConnectedClients <= o.before.ConnectedClients {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after == nil {
		return nil
	}
	o.mu.Lock()
	peak := o.peak - o.before.ConnectedClients
	o.mu.Unlock()
	return &ServerDelta{Before: o.before, After: *after, OwnRejections: o.s.ownRejections.Load() - own, PeakClients: max(0, peak)}
}

func (o *observer) close() {
	for _, c := range o.clients {
		_ = c.Close()
	}
}

// nodeStats reads one node's counters.
func nodeStats(ctx context.Context, c *redis.Client) (*serverStats, error) {
	raw, err := c.Info(ctx, "clients", "stats").Result()
	if err != nil {
		return nil, err
	}
	f := redisinfo.Parse(raw)
	st := &serverStats{ConnectedClients: f.Int("connected_clients"), RejectedConnections: f.Int("rejected_connections"), MaxClients: f.Int("maxclients")}
	if st.MaxClients == 0 { // INFO shows maxclients from Redis 7 on
		if mc, err := c.ConfigGet(ctx, "maxclients").Result(); err == nil {
			st.MaxClients, _ = strconv.ParseInt(mc["maxclients"], 10, 64)
		}
	}
	return st, nil
}
