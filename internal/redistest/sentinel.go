package redistest

import (
	"context"

	"github.com/rescli/rescli/internal/localredis"
)

// MasterName is the name the test Sentinels monitor.
const MasterName = localredis.MasterName

// Sentinel is a master, one replica and three Sentinels (quorum 2,
// down-after-milliseconds 1000) on loopback. Master and Replica are the
// initial roles; after a failover ask CurrentMaster. The embedded
// localredis.Sentinel gives SentinelAddrs, URL and WaitHealthy.
type Sentinel struct {
	*localredis.Sentinel
	Master    *Server
	Replica   *Server
	Sentinels []*Server
}

// StartSentinel starts the deployment (extra flags go to both data nodes;
// a --requirepass is also given to the replica as masterauth and to the
// Sentinels as auth-pass) and waits until every Sentinel knows the master,
// the replica and the two other Sentinels, and the replica's link is up.
// Every process is killed when the test ends.
func StartSentinel(t T, extra ...string) *Sentinel {
	t.Helper()
	Binary(t)
	lookup(t, "redis-sentinel")
	ld, err := localredis.StartSentinel(t.TempDir(), extra...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(ld.Close)
	d := &Sentinel{Sentinel: ld, Master: &Server{Server: ld.Master, t: t}, Replica: &Server{Server: ld.Replica, t: t}}
	for _, s := range ld.Sentinels {
		d.Sentinels = append(d.Sentinels, &Server{Server: s, t: t})
	}
	return d
}

// CurrentMaster asks the Sentinels which data node is the master now.
func (d *Sentinel) CurrentMaster(ctx context.Context) (*Server, error) {
	n, err := d.Sentinel.CurrentMaster(ctx)
	return wrap([]*Server{d.Master, d.Replica}, n), err
}
