package manager

import (
	"context"
	"crypto/tls"
	"net"
)

// WithTLS wraps base so that each connection speaks TLS with cfg; a nil cfg
// leaves base as it is. go-redis applies its TLSConfig only in its own
// default dialer, never around Options.Dialer: whoever gives go-redis a
// dialer (the manager always does; so do DetectMaxClients and
// ObserveMaxClients users) must wrap it with this, or a rediss:// target
// is sent plain text, password included. When cfg names no ServerName, each connection is
// verified against the host it dials: the seed nodes, the nodes a Cluster
// announces, the Sentinels and the master they name each present a
// certificate for their own host, and one name for all of them would fail
// every node but one. A ServerName set in cfg is kept (a proxy in front of
// the server, or a certificate for another name).
func WithTLS(base DialFunc, cfg *tls.Config) DialFunc {
	if cfg == nil {
		return base
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := cfg
		if c.ServerName == "" {
			c = cfg.Clone()
			c.ServerName = addr
			if host, _, err := net.SplitHostPort(addr); err == nil {
				c.ServerName = host
			}
		}
		conn := tls.Client(raw, c)
		if err := conn.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		return conn, nil
	}
}
