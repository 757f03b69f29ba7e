package manager

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redistest"
)

// sentinelTap is a Dialer that counts, per Sentinel, the connections
// opened to it and the GET-MASTER-ADDR-BY-NAME asks written to it.
type sentinelTap struct {
	dials, asks map[string]*atomic.Int64 // by Sentinel address; fixed at creation
}

func newSentinelTap(sentinels []string) *sentinelTap {
	s := &sentinelTap{dials: map[string]*atomic.Int64{}, asks: map[string]*atomic.Int64{}}
	for _, a := range sentinels {
		s.dials[a], s.asks[a] = new(atomic.Int64), new(atomic.Int64)
	}
	return s
}

func (s *sentinelTap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil || s.dials[addr] == nil {
		return c, err
	}
	s.dials[addr].Add(1)
	return &askCounter{Conn: c, asks: s.asks[addr]}, nil
}

// totals returns the connections and asks to all Sentinels so far.
func (s *sentinelTap) totals() (dials, asks int64) {
	for a := range s.dials {
		dials += s.dials[a].Load()
		asks += s.asks[a].Load()
	}
	return dials, asks
}

type askCounter struct {
	net.Conn
	asks *atomic.Int64
}

func (c *askCounter) Write(p []byte) (int, error) {
	c.asks.Add(int64(bytes.Count(bytes.ToLower(p), []byte("get-master-addr-by-name"))))
	return c.Conn.Write(p)
}

// SyscallConn keeps go-redis's health check of pooled connections working.
func (c *askCounter) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

// connectionsReceived sums total_connections_received over the Sentinels,
// each asked over a connection of its own opened earlier.
func connectionsReceived(t *testing.T, clients []*redis.Client) int {
	t.Helper()
	total := 0
	for _, c := range clients {
		info, err := c.Info(context.Background(), "stats").Result()
		if err != nil {
			t.Fatalf("INFO stats: %v", err)
		}
		n, err := strconv.Atoi(redistest.ParseInfo(info)["total_connections_received"])
		if err != nil {
			t.Fatalf("total_connections_received: %v", err)
		}
		total += n
	}
	return total
}

// While the master is down and the breaker open, the manager keeps asking
// the Sentinels for the master. In an incident hundreds of services do that
// at once: each ask must not be a new connection (and TLS handshake) to a
// Sentinel, and the asks must keep their pace.
func TestSentinelOpenBreakerAsksOverFewConnectionsAndRecovers(t *testing.T) {
	// Given a Sentinel deployment that takes 3s to call a dead master down,
	// so the breaker stays open for seconds before the failover
	d := redistest.StartSentinel(t)
	var clients []*redis.Client
	for _, s := range d.Sentinels {
		c := s.Client()
		if err := c.Do(context.Background(), "sentinel", "set", redistest.MasterName, "down-after-milliseconds", "3000").Err(); err != nil {
			t.Fatalf("sentinel set down-after-milliseconds: %v", err)
		}
		clients = append(clients, c)
	}
	tap := newSentinelTap(d.SentinelAddrs())
	o := fastTopology(d.URL())
	o.Dialer = tap.dial
	m := newManager(t, o)
	sub := m.Subscribe(64)
	w := startWriter(t, func(ctx context.Context) error {
		return m.Do(ctx, func(ctx context.Context, c redis.UniversalClient) error { return c.Set(ctx, "k", "v", 0).Err() })
	})

	// When the master is killed, the breaker opens and the Sentinels promote
	// the replica seconds later
	w.kill(d.Master.Kill)
	awaitState(t, sub, Open, 5*time.Second)
	opened := time.Now()
	dials0, asks0 := tap.totals()
	received0 := connectionsReceived(t, clients)
	half := awaitState(t, sub, HalfOpen, 20*time.Second)
	window := time.Since(opened)
	dials, asks := tap.totals()
	dials, asks, received := dials-dials0, asks-asks0, connectionsReceived(t, clients)-received0

	// Then the open breaker asked all along, over at most one connection per
	// Sentinel, at most once per sentinelPoll
	t.Logf("open %v before the promotion: %d asks, %d connections dialed to the Sentinels, %d received by them",
		window.Round(time.Millisecond), asks, dials, received)
	if asks < 5 {
		t.Fatalf("%d asks in %v: want the open breaker to keep asking the Sentinels", asks, window)
	}
	if limit := int64(len(d.Sentinels)); dials > limit || int64(received) > limit {
		t.Errorf("%d asks opened %d connections to the Sentinels (%d by their count): want at most one per Sentinel (%d), not one per ask",
			asks, dials, received, limit)
	}
	if limit := int64(window/sentinelPoll) + 1; asks > limit {
		t.Errorf("%d asks in %v: want at most one per %v (%d)", asks, window, sentinelPoll, limit)
	}

	// And the promotion ended the open wait, and writes resumed on the new master
	if want := "sentinels promoted " + d.Replica.Addr; !strings.HasPrefix(half.Reason, want) {
		t.Errorf("half-open because %q, want %q", half.Reason, want)
	}
	awaitState(t, sub, Closed, 5*time.Second)
	took, err := w.awaitRecovery(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Snapshot(); s.Master != d.Replica.Addr || s.State != Closed {
		t.Errorf("snapshot master=%s state=%v, want %s, CLOSED", s.Master, s.State, d.Replica.Addr)
	}
	t.Logf("kill -> first successful write %v", took.Round(time.Millisecond))
}

func TestSentinelAskCadenceIsBoundedAndJittered(t *testing.T) {
	// Given two managers' askers whose breakers open at the same instant
	t0 := time.Unix(1000, 0)
	low := &sentinelAsker{randN: func(int64) int64 { return 0 }}
	high := &sentinelAsker{randN: func(n int64) int64 { return n - 1 }}

	// Then their first asks fall apart, both within the first poll
	if w := low.untilAsk(t0, t0); w != 0 {
		t.Errorf("first ask of the low draw due in %v, want now", w)
	}
	if w := high.untilAsk(t0, t0); w < sentinelPoll-time.Nanosecond || w >= sentinelPoll {
		t.Errorf("first ask of the high draw due in %v, want just under %v", w, sentinelPoll)
	}

	// And every later ask comes between one and one and a half polls after
	// the last one ended
	for _, a := range []*sentinelAsker{low, high} {
		if w := a.asked(t0); w < sentinelPoll || w >= sentinelPoll*3/2 {
			t.Errorf("next ask in %v, want in [%v, %v)", w, sentinelPoll, sentinelPoll*3/2)
		}
		if w := a.untilAsk(t0.Add(sentinelPoll/2), t0); w <= 0 {
			t.Errorf("an ask is due half a poll after the last one")
		}
	}

	// When the breaker reopens right after an ask (a probe failed), the new
	// open period still waits one poll after that ask
	low.asked(t0)
	reopened := t0.Add(10 * time.Millisecond)
	if w := low.untilAsk(reopened, reopened); w != sentinelPoll-10*time.Millisecond {
		t.Errorf("first ask after reopening due in %v, want %v", w, sentinelPoll-10*time.Millisecond)
	}
}

func TestSentinelAskerMovesOnFromADeadSentinelAndComesBackToIt(t *testing.T) {
	// Given an asker over three Sentinels
	d := redistest.StartSentinel(t)
	first := d.Sentinels[0]
	tap := newSentinelTap(d.SentinelAddrs())
	o := fast(d.URL())
	o.Dialer = tap.dial
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	a := newSentinelAsker(o, rand.Int64N)
	t.Cleanup(func() { _ = a.close() })
	ask := func() {
		t.Helper()
		if addr, err := a.master(context.Background()); err != nil || addr != d.Master.Addr {
			t.Fatalf("master() = %q, %v; want %s", addr, err, d.Master.Addr)
		}
	}

	// Then the first Sentinel answers, over one connection however often asked
	for range 5 {
		ask()
	}
	if dials, asks := tap.dials[first.Addr].Load(), tap.asks[first.Addr].Load(); dials != 1 || asks != 5 {
		t.Errorf("first Sentinel: %d connections for %d asks, want 1 for 5", dials, asks)
	}

	// When it dies, the next one answers
	first.Kill()
	ask()
	ask()
	if n := tap.asks[d.Sentinels[1].Addr].Load(); n != 2 {
		t.Errorf("second Sentinel asked %d times, want 2", n)
	}

	// And when it is back, it answers again
	first.Restart()
	before := tap.asks[first.Addr].Load()
	for deadline := time.Now().Add(5 * time.Second); tap.asks[first.Addr].Load() == before; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the restarted first Sentinel was not asked again within 5s")
		}
		ask()
	}
	t.Logf("first Sentinel asked again after its restart; %d connections to it in all", tap.dials[first.Addr].Load())
	if n := tap.dials[first.Addr].Load(); n > 3 {
		t.Errorf("first Sentinel: %d connections, want at most 3 (before, the background redial, after)", n)
	}
}
