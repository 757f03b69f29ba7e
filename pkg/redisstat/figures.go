package redisstat

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/redisinfo"
)

// gauge is an INFO field, Unknown when the server did not report it.
func gauge(f redisinfo.Fields, key string) int64 {
	if _, ok := f[key]; !ok {
		return Unknown
	}
	return f.Int(key)
}

// counter turns a cumulative INFO counter into its growth since the first
// reading; a counter that went down (the server restarted) counts afresh.
// Unknown until the server reports it.
type counter struct {
	last, total int64
	seen        bool
}

func (c *counter) add(f redisinfo.Fields, key string) int64 {
	if _, ok := f[key]; !ok {
		if !c.seen {
			return Unknown
		}
		return c.total
	}
	v := f.Int(key)
	switch {
	case !c.seen:
		c.seen = true
	case v >= c.last:
		c.total += v - c.last
	default:
		c.total += v
	}
	c.last = v
	return c.total
}

// hitWindow keeps keyspace hits and misses readings over a window.
type hitWindow struct{ rs []hitReading }

type hitReading struct {
	at           time.Time
	hits, misses int64
}

// add records a reading and returns the hit ratio over the window ending
// at it in percent, negative when there was no lookup in it.
func (w *hitWindow) add(at time.Time, hits, misses int64, window time.Duration) float64 {
	if n := len(w.rs); n > 0 && (hits < w.rs[n-1].hits || misses < w.rs[n-1].misses) {
		w.rs = w.rs[:0] // the server restarted
	}
	w.rs = append(w.rs, hitReading{at, hits, misses})
	cut := 0 // keep the newest reading at or before the window's start as the base
	for i, r := range w.rs {
		if !r.at.After(at.Add(-window)) {
			cut = i
		}
	}
	w.rs = w.rs[cut:]
	base := w.rs[0]
	dh, dm := hits-base.hits, misses-base.misses
	if len(w.rs) == 1 { // the first reading: the server's lifetime ratio is all there is
		dh, dm = hits, misses
	}
	if dh+dm <= 0 {
		return Unknown
	}
	return 100 * float64(dh) / float64(dh+dm)
}

// replicationLag fills each replica's Lag from its master's INFO (master
// offset minus the replica's), and each master's as the largest of its
// replicas'.
func replicationLag(nodes []Node, states map[string]*nodeState) {
	lag := map[string]int64{}
	for i := range nodes {
		st := states[nodes[i].Addr]
		if st == nil || st.info == nil || st.info["role"] != "master" {
			continue
		}
		f := st.info
		off := f.Int("master_repl_offset")
		for k := int64(0); k < f.Int("connected_slaves"); k++ {
			addr, roff, ok := replicaLine(f["slave"+strconv.FormatInt(k, 10)])
			if !ok {
				continue
			}
			l := max(off-roff, 0)
			lag[addr] = l
			nodes[i].Lag = max(nodes[i].Lag, l)
		}
	}
	for i := range nodes {
		if l, ok := lag[nodes[i].Addr]; ok && nodes[i].Role == "replica" {
			nodes[i].Lag = l
		}
	}
}

// replicaLine reads "ip=127.0.0.1,port=6380,state=online,offset=42,lag=0".
func replicaLine(s string) (addr string, offset int64, ok bool) {
	kv := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		if k, v, found := strings.Cut(part, "="); found {
			kv[k] = v
		}
	}
	if kv["ip"] == "" || kv["port"] == "" || kv["offset"] == "" {
		return "", 0, false
	}
	offset, err := strconv.ParseInt(kv["offset"], 10, 64)
	return net.JoinHostPort(kv["ip"], kv["port"]), offset, err == nil
}
