package manager

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// sentinelPoll is the least time between two asks for the master while the
// breaker is open; each gap adds a random extra of up to half of it (250ms
// on average), so a promotion is noticed within about one poll, and the
// services of one incident, whose breakers opened together, ask apart.
const sentinelPoll = 200 * time.Millisecond

// masterMoved asks the Sentinels for the master while the breaker is open,
// when an ask is due in the open period that began at opened; otherwise it
// says how long until one is. When they name another address than the one
// the connections last went to, the outage that opened the breaker is over
// (a replica was promoted): the open wait ends at once instead of after
// OpenTimeout, which for a Sentinel failover of a few seconds would be most
// of the outage.
func (m *Manager) masterMoved(opened time.Time) (bool, time.Duration) {
	last := m.dials.lastAddr.Load()
	if last == nil {
		return false, sentinelPoll
	}
	if wait := m.asker.untilAsk(m.opts.Clock.Now(), opened); wait > 0 {
		return false, wait
	}
	addr, err := m.asker.master(m.ctx)
	wait := m.asker.asked(m.opts.Clock.Now())
	if err != nil || addr == *last {
		return false, wait
	}
	m.br.endWait("sentinels promoted " + addr)
	return true, 0
}

// sentinelAsker asks the Sentinels for the master over long-lived clients,
// one per Sentinel, each created on first use with a pool of one
// connection: a new connection (and TLS handshake) per ask, from every
// service of an incident every poll, would be the very herd this package
// prevents, aimed at the Sentinels. A Sentinel that cannot be dialed fails
// its asks fast while go-redis's pool redials it in the background about
// once a second. Only the monitor goroutine uses an asker; Close closes it
// after the monitor stopped.
type sentinelAsker struct {
	addrs     []string
	name      string // the master's
	timeout   time.Duration
	randN     func(int64) int64
	newClient func(addr string) *redis.SentinelClient
	clients   []*redis.SentinelClient // by addrs index; nil until first asked

	opened time.Time // the open period next was planned for
	next   time.Time // when the next ask is due
	last   time.Time // when the last ask ended
}

func newSentinelAsker(o Options, randN func(int64) int64) *sentinelAsker {
	base := o.Dialer
	if base == nil {
		base = (&net.Dialer{Timeout: o.DialTimeout}).DialContext
	}
	dial := WithTLS(base, o.TLS) // go-redis gives a custom dialer no TLS
	return &sentinelAsker{
		addrs: o.Addrs, name: o.MasterName, timeout: o.ProbeTimeout, randN: randN,
		clients: make([]*redis.SentinelClient, len(o.Addrs)),
		newClient: func(addr string) *redis.SentinelClient {
			so := o.SentinelOptions(addr) // the Sentinels' own credentials
			so.TLSConfig, so.Dialer = nil, dial
			so.DialTimeout, so.ReadTimeout, so.WriteTimeout = o.DialTimeout, o.ReadTimeout, o.WriteTimeout
			so.PoolSize, so.MaxIdleConns, so.MaxRetries, so.DialerRetries, so.DisableIdentity = 1, 1, -1, 1, true
			return redis.NewSentinelClient(so)
		},
	}
}

// master returns the master's address from the first Sentinel that answers.
func (s *sentinelAsker) master(ctx context.Context) (string, error) {
	var lastErr error
	for i, a := range s.addrs {
		if s.clients[i] == nil {
			s.clients[i] = s.newClient(a)
		}
		ctx, cancel := context.WithTimeout(ctx, s.timeout)
		hp, err := s.clients[i].GetMasterAddrByName(ctx, s.name).Result()
		cancel()
		if err == nil && len(hp) == 2 {
			return net.JoinHostPort(hp[0], hp[1]), nil
		}
		lastErr = err
	}
	return "", lastErr
}

// untilAsk returns how long until the next ask is due, 0 when it is. The
// first ask of an open period falls anywhere in its first poll, so that
// breakers that opened together do not ask together, and never sooner
// than one poll after the last ask.
func (s *sentinelAsker) untilAsk(now, opened time.Time) time.Duration {
	if !opened.Equal(s.opened) {
		s.opened = opened
		s.next = opened.Add(s.jitter(sentinelPoll))
		if earliest := s.last.Add(sentinelPoll); s.next.Before(earliest) {
			s.next = earliest
		}
	}
	return max(s.next.Sub(now), 0)
}

// asked plans the next ask after one ended at now and returns the wait.
func (s *sentinelAsker) asked(now time.Time) time.Duration {
	s.last = now
	s.next = now.Add(sentinelPoll + s.jitter(sentinelPoll/2))
	return s.next.Sub(now)
}

func (s *sentinelAsker) jitter(d time.Duration) time.Duration {
	return time.Duration(s.randN(int64(d)))
}

func (s *sentinelAsker) close() error {
	var errs []error
	for _, c := range s.clients {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
