package manager

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/target"
)

// Manager owns one go-redis client and pool, the breaker in front of it, the
// retry budget, the prober and the metrics. It is safe for concurrent use.
type Manager struct {
	opts    Options
	client  redis.UniversalClient
	br      *breaker
	nodes   *nodeSet       // Cluster only: per-node breakers
	asker   *sentinelAsker // Sentinel only: asks for the master while open
	budget  *retryBudget
	dials   dialStats
	stats   counters
	hub     hub
	randN   func(int64) int64
	started time.Time

	ctx       context.Context // cancelled by Close; bounds the monitor's PINGs
	cancel    context.CancelFunc
	wake      chan struct{}
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu       sync.Mutex
	lastErr  lastError
	lastPing PingResult
}

type lastError struct {
	msg string
	at  time.Time
}

// New builds a Manager from opts and starts its monitor. It does not dial:
// connections are opened on demand, so building many managers at once is not
// itself a herd.
func New(opts Options) (*Manager, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	m := &Manager{
		opts:    opts,
		started: opts.Clock.Now(),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.br = newBreaker(opts.Breaker, opts.Clock, opts.Rand)
	m.randN = m.br.randN
	m.br.onTransition = m.onTransition
	m.budget = newRetryBudget(opts.Retry, opts.Clock)
	var sentinels []string
	if opts.Kind == target.Sentinel {
		sentinels = opts.Addrs
		m.asker = newSentinelAsker(opts, m.randN)
	}
	m.client = opts.newClient(newDialer(opts.Dialer, opts.DialTimeout, opts.TLS, &m.dials, sentinels))
	if cc, ok := m.client.(*redis.ClusterClient); ok {
		// Hooks on the cluster client would see one outcome per command for
		// the whole cluster; each node client gets its own breaker instead.
		m.nodes = newNodeSet(m)
		cc.OnNewNode(m.nodes.attach)
	} else {
		m.client.AddHook(&breakerHook{m: m, br: m.br})
	}
	if !opts.DisableMonitor {
		m.wg.Add(1)
		if m.nodes != nil {
			go m.monitorCluster()
		} else {
			go m.monitor()
		}
	}
	return m, nil
}

// NewFromURL is New(Options{URL: url}).
func NewFromURL(url string) (*Manager, error) { return New(Options{URL: url}) }

// Client returns the managed go-redis client. Every command sent through it
// passes the breaker and is measured; it fails with ErrCircuitOpen while the
// breaker is open. Use Do or DoWithFallback to get retries and fallbacks.
func (m *Manager) Client() redis.UniversalClient { return m.client }

// Options returns the options in effect, defaults filled in.
func (m *Manager) Options() Options { return m.opts }

// State returns the breaker state. The prober keeps it true with no
// application traffic. For a Cluster it summarises the per-node breakers
// (see Snapshot.State).
func (m *Manager) State() State {
	if m.nodes != nil {
		return m.nodes.state()
	}
	return m.br.State()
}

// Subscribe returns a stream of breaker transitions with the given buffer.
// A subscriber that does not read loses events; it never stalls the manager.
func (m *Manager) Subscribe(buffer int) *Subscription { return m.hub.subscribe(buffer) }

// Close stops the monitor, closes subscriptions and the client's pool.
func (m *Manager) Close() error {
	var err error
	m.closeOnce.Do(func() {
		close(m.done)
		m.cancel()
		m.wg.Wait()
		m.hub.closeAll()
		if cerr := m.client.Close(); cerr != nil && !errors.Is(cerr, redis.ErrClosed) {
			err = fmt.Errorf("close redis client: %w", cerr)
		}
		if m.asker != nil {
			if cerr := m.asker.close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close sentinel clients: %w", cerr))
			}
		}
	})
	return err
}

// onTransition runs with the breaker's lock held: it must not block.
func (m *Manager) onTransition(t Transition) {
	m.hub.publish(t)
	m.wakeMonitor()
	m.opts.Logger.Info("redis circuit breaker", "name", m.opts.Name, "node", t.Node, "from", t.From.String(),
		"to", t.To.String(), "reason", t.Reason, "error", t.Err, "open_for", t.OpenFor)
}

func (m *Manager) wakeMonitor() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *Manager) noteError(err error) {
	m.mu.Lock()
	m.lastErr = lastError{msg: errString(err), at: m.opts.Clock.Now()}
	m.mu.Unlock()
}
