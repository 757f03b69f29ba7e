package chaos

import (
	"context"
	"time"
)

// ConnInfo describes one open client connection.
type ConnInfo struct {
	ID     uint64    `json:"id"`
	Client string    `json:"client"`
	Since  time.Time `json:"since"`
	// Path is "pass-through" while both directions pass bytes on unread, else "inspecting".
	Path string `json:"path"`
	// Faults names the faults acting on this connection.
	Faults []string `json:"toxics"`
}

func (c *conn) info() ConnInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	path := "pass-through"
	if c.upSlow || c.downSlow {
		path = "inspecting"
	}
	faults := []string{}
	for _, in := range c.p.faults.Load().all {
		if c.seen[in.seq] && draw(c.p.opts.seed, c.id, in) {
			faults = append(faults, in.name)
		}
	}
	peer := c.peer
	if peer == nil && c.lc != nil {
		peer = c.lc.peerAddr()
	}
	return ConnInfo{ID: c.id, Client: peer.String(), Since: c.since, Path: path, Faults: faults}
}

// syncWatchers starts the goroutines of ConnFaults that now act on this
// connection and stops those of faults that were removed.
func (c *conn) syncWatchers() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server == nil || c.closed() {
		return // run calls again once dialled
	}
	live := map[uint64]bool{}
	for _, in := range c.p.faults.Load().all {
		cf, ok := in.fault.(ConnFault)
		if !ok {
			continue
		}
		for _, d := range []Direction{Upstream, Downstream} {
			key := in.seq<<1 | uint64(d)
			if !in.flows(d) {
				continue
			}
			live[key] = true
			if _, running := c.watchers[key]; running || !c.hitsLocked(in) {
				continue
			}
			ctx, stop := context.WithCancel(c.p.ctx) // close stops it too
			if c.watchers == nil {
				c.watchers = map[uint64]context.CancelFunc{}
			}
			c.watchers[key] = stop
			s := c.stream(d, key)
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				defer c.guard("fault " + in.name)
				cf.Run(ctx, s)
			}()
		}
	}
	for key, stop := range c.watchers {
		if !live[key] {
			stop()
			delete(c.watchers, key)
		}
	}
}
