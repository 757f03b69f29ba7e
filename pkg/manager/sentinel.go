package manager

import (
	"context"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// sentinelPoll is how often an open breaker asks the Sentinels for the
// master: a promotion is noticed within it, at one round trip per poll and
// only while open.
const sentinelPoll = 250 * time.Millisecond

// masterMoved asks the Sentinels for the master while the breaker is open.
// When they name another address than the one the connections last went
// to, the outage that opened the breaker is over (a replica was promoted):
// the open wait ends at once instead of after OpenTimeout, which for a
// Sentinel failover of a few seconds would be most of the outage.
func (m *Manager) masterMoved() bool {
	last := m.dials.lastAddr.Load()
	if last == nil {
		return false
	}
	addr, err := m.sentinelMaster()
	if err != nil || addr == *last {
		return false
	}
	m.br.endWait("sentinels promoted " + addr)
	return true
}

// sentinelMaster returns the master's address from the first Sentinel
// that answers.
func (m *Manager) sentinelMaster() (string, error) {
	base := m.opts.Dialer
	if base == nil {
		base = (&net.Dialer{Timeout: m.opts.DialTimeout}).DialContext
	}
	dial := WithTLS(base, m.opts.TLS) // go-redis gives a custom dialer no TLS
	var lastErr error
	for _, a := range m.opts.Addrs {
		ctx, cancel := context.WithTimeout(m.ctx, m.opts.ProbeTimeout)
		sc := redis.NewSentinelClient(&redis.Options{
			Addr: a, Username: m.opts.SentinelUsername, Password: m.opts.SentinelPassword,
			Dialer: dial, DialTimeout: m.opts.DialTimeout, ReadTimeout: m.opts.ReadTimeout,
			MaxRetries: -1, DialerRetries: 1, DisableIdentity: true,
		})
		hp, err := sc.GetMasterAddrByName(ctx, m.opts.MasterName).Result()
		_ = sc.Close()
		cancel()
		if err == nil && len(hp) == 2 {
			return net.JoinHostPort(hp[0], hp[1]), nil
		}
		lastErr = err
	}
	return "", lastErr
}
