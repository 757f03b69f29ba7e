package localredis

import (
	"fmt"
	"time"
)

// WaitUntil polls check every 50ms until it returns nil or limit passes,
// and then returns check's last error.
func WaitUntil(limit time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %w", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killAll kills servers in reverse start order: Sentinels go before the
// data nodes they would otherwise try to fail over.
func killAll(servers []*Server) {
	for i := len(servers) - 1; i >= 0; i-- {
		if servers[i] != nil {
			servers[i].Kill()
		}
	}
}

func addrs(servers []*Server) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.Addr
	}
	return out
}
