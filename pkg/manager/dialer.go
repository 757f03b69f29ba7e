package manager

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"syscall"
	"time"
)

// maxClientsReply is what Redis writes to a connection it refuses at accept
// before closing it. go-redis does not surface it (it reads it as a failed
// HELLO and then hits a closed socket), so the dialer's connections look at
// the first bytes they receive themselves.
var maxClientsReply = []byte("-ERR max number of clients reached")

// dialStats counts what the dialer did; every dial is a network attempt.
type dialStats struct {
	attempts   atomic.Uint64
	failures   atomic.Uint64
	maxClients atomic.Uint64
	// lastAddr is the address dialed last: for Sentinel, where go-redis
	// asks the Sentinels for the master on every dial, the current master.
	lastAddr atomic.Pointer[string]
}

// DialFunc is go-redis's dialer signature.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// newDialer wraps base (or a net.Dialer) so that each dial is counted,
// each connection detects the maxclients rejection and, with tlsCfg, speaks
// TLS (see WithTLS). TLS goes outside the detection, as go-redis's own TLS
// dialer returns a *tls.Conn: go-redis then skips its socket-level health
// check, which cannot read through TLS. Redis refuses a TLS client over
// maxclients before the handshake and writes it nothing, so there is no
// reply to detect below TLS either. Dials to the addresses in sentinels are
// not remembered as lastAddr.
func newDialer(base DialFunc, timeout time.Duration, tlsCfg *tls.Config, st *dialStats, sentinels []string) DialFunc {
	if base == nil {
		d := &net.Dialer{Timeout: timeout, KeepAlive: 5 * time.Minute}
		base = d.DialContext
	}
	detect := WithTLS(DetectMaxClients(base, func() { st.maxClients.Add(1) }), tlsCfg)
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		st.attempts.Add(1)
		if last := st.lastAddr.Load(); (last == nil || *last != addr) && !slices.Contains(sentinels, addr) {
			st.lastAddr.Store(&addr)
		}
		c, err := detect(ctx, network, addr)
		if err != nil {
			st.failures.Add(1)
		}
		return c, err
	}
}

// DetectMaxClients wraps a dialer so that a connection Redis refuses at
// accept ("ERR max number of clients reached") fails with ErrMaxClients
// instead of the broken pipe go-redis would report; onReject, if not nil, is
// called once per refused connection. The manager does this for its own pool;
// use it on a plain go-redis client's Options.Dialer to see the same.
func DetectMaxClients(base DialFunc, onReject func()) DialFunc {
	return wrapDialer(base, onReject, false)
}

// ObserveMaxClients is DetectMaxClients that only counts: the connection's
// bytes and errors are left exactly as the client would see them, so the
// client behaves as it would unobserved (rescli herd's naive strategy).
func ObserveMaxClients(base DialFunc, onReject func()) DialFunc {
	return wrapDialer(base, onReject, true)
}

func wrapDialer(base DialFunc, onReject func(), observeOnly bool) DialFunc {
	if base == nil {
		base = (&net.Dialer{KeepAlive: 5 * time.Minute}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &firstReplyConn{Conn: c, onReject: onReject, observeOnly: observeOnly}, nil
	}
}

// firstReplyConn checks the first reply on a new connection for the
// maxclients rejection and turns it into ErrMaxClients.
type firstReplyConn struct {
	net.Conn
	onReject    func()
	observeOnly bool
	checked     bool // only touched by go-redis's single user of this conn
	wrote       atomic.Bool
	refused     error // sticky once the rejection was seen
	raw         atomic.Pointer[syscall.RawConn]
}

func (c *firstReplyConn) Read(p []byte) (int, error) {
	if c.refused != nil {
		return 0, c.refused
	}
	n, err := c.Conn.Read(p)
	if c.checked {
		return n, err
	}
	c.checked = true
	if n >= len(maxClientsReply) && bytes.HasPrefix(p[:n], maxClientsReply) {
		if c.observeOnly {
			c.onReject()
			return n, err
		}
		return 0, c.rejected()
	}
	return n, err
}

// Write catches the case where the server's close arrives before go-redis
// reads: the write fails, and the rejection is still in the receive buffer.
func (c *firstReplyConn) Write(p []byte) (int, error) {
	if c.refused != nil {
		return 0, c.refused
	}
	n, err := c.Conn.Write(p)
	if err != nil && !c.wrote.Load() && !c.checked && !c.observeOnly {
		buf := make([]byte, len(maxClientsReply))
		_ = c.Conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if m, _ := io.ReadFull(c.Conn, buf); m == len(buf) && bytes.Equal(buf, maxClientsReply) {
			c.checked = true
			return n, c.rejected()
		}
	}
	c.wrote.Store(true)
	return n, err
}

// rejected counts the rejection and makes it sticky; go-redis closes the
// connection when it sees the error.
func (c *firstReplyConn) rejected() error {
	if c.onReject != nil {
		c.onReject()
	}
	c.refused = fmt.Errorf("connect %s: %w", c.Conn.RemoteAddr(), ErrMaxClients)
	return c.refused
}

// SyscallConn lets go-redis run its health check on pooled connections. The
// raw conn is cached: go-redis asks on every pool Get, and net allocates a
// new one per call.
func (c *firstReplyConn) SyscallConn() (syscall.RawConn, error) {
	if raw := c.raw.Load(); raw != nil {
		return *raw, nil
	}
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("connection %T has no syscall.Conn", c.Conn)
	}
	raw, err := sc.SyscallConn()
	if err == nil {
		c.raw.Store(&raw)
	}
	return raw, err
}
