package herd

import (
	"context"
	"fmt"
	"net"

	"github.com/rescli/rescli/pkg/chaos"
)

// proxies are the herd's fault proxies: one in front of a single upstream,
// or one per Cluster node so that every connection is counted and limited
// at the node it goes to. Cluster clients dial the nodes' real addresses
// (from the slot map) and dial maps each to its node's proxy.
type proxies struct {
	list  []*chaos.Proxy
	byUp  map[string]string // upstream host:port -> proxy host:port
	first string
}

func startProxies(cfg *Config, tgt *target, name string) (proxies, error) {
	p := proxies{byUp: map[string]string{}}
	for i, up := range tgt.upstreams() {
		px := chaos.NewProxy(fmt.Sprintf("herd-%s-%d", name, i), "127.0.0.1:0", up)
		if err := px.Start(); err != nil {
			p.close()
			return p, fmt.Errorf("start proxy: %w", err)
		}
		p.list = append(p.list, px)
		p.byUp[up] = px.Addr()
		if cfg.MaxClients > 0 {
			if _, err := px.AddToxic(chaos.Toxic{Name: "maxclients", Type: "maxclients", Toxicity: 1,
				Attributes: chaos.Attributes{"limit": cfg.MaxClients}}); err != nil {
				p.close()
				return p, fmt.Errorf("set maxclients %d: %w", cfg.MaxClients, err)
			}
		}
	}
	p.first = p.list[0].Addr()
	return p, nil
}

func (p proxies) addr() string { return p.first }

func (p proxies) close() {
	for _, px := range p.list {
		px.Close()
	}
}

// dial sends a connection for a real node address to that node's proxy.
func (p proxies) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if px, ok := p.byUp[addr]; ok {
		addr = px
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Stats sums the proxies' counters. Peak is the sum of each proxy's peak,
// an upper bound of the peak over all nodes at one moment.
func (p proxies) Stats() chaos.Stats {
	var sum chaos.Stats
	for _, px := range p.list {
		st := px.Stats()
		sum.Current += st.Current
		sum.Peak += st.Peak
		sum.Rejected += st.Rejected
		sum.Accepted += st.Accepted
		sum.DialErrors += st.DialErrors
	}
	return sum
}
