package manager

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/rescli/rescli/pkg/target"
)

// Options configure a Manager. The zero value of a field means its default.
type Options struct {
	// Name labels this manager in metrics and logs (default "default").
	Name string
	// URL is any form target.Parse reads: redis:// or rediss:// for one
	// server, redis+sentinel://s1,s2,s3/mastername for Sentinel,
	// redis+cluster://n1,n2,n3 for Cluster. When set it fills Target.
	URL string
	// Target is the deployment: its kind, addresses (one server, the
	// Sentinels, or Cluster seeds), master name, credentials, DB and TLS.
	// Built in code, a zero Kind with MasterName set means Sentinel and
	// several Addrs mean Cluster. Its TLS, with no ServerName, verifies
	// each node against the host it dials (see WithTLS); set beside a
	// rediss:// URL it is used instead of the URL's: the way to give your
	// own CA (RootCAs) or a client certificate.
	target.Target

	// ClusterReloadInterval bounds how stale a Cluster client's slot map may
	// get (default 1s). go-redis reloads it on MOVED/ASK and otherwise only
	// when it is older than this, 60s by its default: after a master dies
	// and its replica is promoted, nothing answers MOVED (the dead node does
	// not answer at all), so its slots stayed failing for up to a minute.
	// The manager also asks for a reload when a node's breaker opens. Inside
	// one command go-redis's cluster client still retries a failed node up
	// to MaxRedirects (3) times; the node's breaker counts each attempt.
	ClusterReloadInterval time.Duration

	// PoolSize is the pool's size per node (default 20); MaxActiveConns caps
	// connections in use plus idle (default PoolSize). MinIdleConns stays 0:
	// pre-dialing idle connections at start is itself a herd.
	PoolSize       int
	MaxActiveConns int
	PoolTimeout    time.Duration // wait for a free connection (default 1s)
	DialTimeout    time.Duration // default 2s
	ReadTimeout    time.Duration // default 1s
	WriteTimeout   time.Duration // default 1s

	Breaker BreakerSettings
	Retry   RetrySettings

	// HealthInterval is how often the monitor PINGs Redis while closed
	// (default 30s); the first check runs at start.
	HealthInterval time.Duration
	// ProbeInterval spaces half-open probe rounds that did not decide
	// (default 1s). The open→half-open probe itself fires when the wait ends.
	ProbeInterval time.Duration
	// ProbeTimeout bounds one probe PING (default DialTimeout+ReadTimeout).
	ProbeTimeout time.Duration
	// DisableMonitor turns off the prober and health monitor (tests only:
	// without it State still moves on application traffic).
	DisableMonitor bool

	// Dialer replaces the TCP dialer (it is still wrapped for counting and
	// maxclients detection).
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	Clock  Clock
	// Rand returns a uniform int64 in [0, n); default math/rand/v2, or a
	// source seeded with Seed when Seed is not zero.
	Rand   func(n int64) int64
	Seed   uint64
	Logger *slog.Logger
}

func (o *Options) defaults() error {
	if o.Name == "" {
		o.Name = "default"
	}
	if o.URL != "" {
		t, err := target.Parse(o.URL)
		if err != nil {
			return err
		}
		if o.TLS != nil && t.TLS != nil {
			t.TLS = o.TLS
		}
		o.Target = t
	}
	if len(o.Addrs) == 0 {
		o.Addrs = []string{"127.0.0.1:6379"}
	}
	o.Kind = o.Resolved()
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.PoolSize <= 0 {
		o.PoolSize = 20
	}
	if o.MaxActiveConns <= 0 {
		o.MaxActiveConns = o.PoolSize
	}
	dur(&o.PoolTimeout, time.Second)
	dur(&o.DialTimeout, 2*time.Second)
	dur(&o.ReadTimeout, time.Second)
	dur(&o.WriteTimeout, time.Second)
	dur(&o.HealthInterval, 30*time.Second)
	dur(&o.ProbeInterval, time.Second)
	dur(&o.ProbeTimeout, o.DialTimeout+o.ReadTimeout)
	dur(&o.ClusterReloadInterval, time.Second)
	o.Breaker.defaults()
	o.Retry.defaults()
	if o.Rand == nil && o.Seed != 0 {
		o.Rand = seededRand(o.Seed)
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Label describes the target for humans, credentials redacted.
func (o *Options) Label() string { return o.Target.String() }

// newClient builds the go-redis client for the options' kind.
func (o *Options) newClient(dial DialFunc) redis.UniversalClient {
	u := o.universal(dial)
	if o.Kind != target.Cluster {
		return redis.NewUniversalClient(u)
	}
	co := u.Cluster()
	co.ClusterStateReloadInterval = o.ClusterReloadInterval
	return redis.NewClusterClient(co)
}

// universal builds go-redis options with its own retries switched off so
// that the manager's budgeted retries are the only ones. They carry no
// TLSConfig: go-redis uses it only in its default dialer, and dial does the
// TLS for every node and Sentinel (see WithTLS).
func (o *Options) universal(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:                 o.Addrs,
		MasterName:            o.MasterName,
		Username:              o.Username,
		Password:              o.Password,
		SentinelUsername:      o.SentinelUsername,
		SentinelPassword:      o.SentinelPassword,
		DB:                    o.DB,
		Dialer:                dial,
		PoolSize:              o.PoolSize,
		MaxActiveConns:        o.MaxActiveConns,
		PoolTimeout:           o.PoolTimeout,
		DialTimeout:           o.DialTimeout,
		ReadTimeout:           o.ReadTimeout,
		WriteTimeout:          o.WriteTimeout,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1, // the manager retries, within its budget
		DialerRetries:         1,  // one dial attempt per connection, no hidden loop
		MaxRedirects:          3,
		DisableIdentity:       true, // no CLIENT SETINFO round trips per connection
		// No CLIENT MAINT_NOTIFICATIONS handshake: one more round trip per new
		// connection, for a Redis Enterprise feature, that passes our hook.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
}

// seededRand is a deterministic, concurrency-safe Rand.
func seededRand(seed uint64) func(int64) int64 {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(n int64) int64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Int64N(n)
	}
}
