package redisstat

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/internal/redisinfo"
)

// nodeState is what the Sampler keeps of one node between samples.
type nodeState struct {
	c *redis.Client
	// denied maps a command to why it is never asked again ("n/a (NOPERM)").
	denied map[string]string
	first  time.Time // first INFO answered: the node's rates are since then

	rejected, evicted counter
	hits              hitWindow
	info              redisinfo.Fields // the last INFO, for the replicas' lag

	latency    []LatencyEvent
	latencyErr string
	slowlog    []SlowEntry
	slowlogErr string
}

// read asks the node for INFO and, when slow is set, LATENCY LATEST and
// SLOWLOG GET, one after the other over the node's one connection.
func (st *nodeState) read(ctx context.Context, addr string, now time.Time, role string, slow bool, o Options) Node {
	n := Node{Addr: addr, Role: role, Clients: Unknown, Blocked: Unknown, OpsPerSec: Unknown, HitRatio: Unknown,
		UsedMemory: Unknown, MaxMemory: Unknown, Replicas: Unknown, Lag: Unknown}
	st.info = nil
	raw, err := ask(st, "info", func() (string, error) { return st.c.Info(ctx).Result() })
	if err != nil {
		n.Err = "INFO: " + err.Error()
		return n
	}
	f := redisinfo.Parse(raw)
	st.info = f
	if st.first.IsZero() {
		st.first = now
	}
	switch f["role"] {
	case "master":
		n.Role = "master"
	case "slave":
		n.Role = "replica"
	}
	n.Clients, n.Blocked = gauge(f, "connected_clients"), gauge(f, "blocked_clients")
	n.OpsPerSec = gauge(f, "instantaneous_ops_per_sec")
	n.UsedMemory, n.MaxMemory = gauge(f, "used_memory"), gauge(f, "maxmemory")
	n.Replicas = gauge(f, "connected_slaves")
	n.LinkDown = f["master_link_status"] == "down"
	n.Rejected = st.rejected.add(f, "rejected_connections")
	n.Evicted = st.evicted.add(f, "evicted_keys")
	if dt := now.Sub(st.first).Seconds(); dt > 0 && n.Rejected > 0 {
		n.RejectedRate = float64(n.Rejected) / dt
	}
	if _, ok := f["keyspace_hits"]; ok {
		n.HitRatio = st.hits.add(now, f.Int("keyspace_hits"), f.Int("keyspace_misses"), o.HitWindow)
	}
	if slow {
		st.readSlow(ctx, o.Slowlog)
	}
	n.Latency, n.LatencyErr, n.Slowlog, n.SlowlogErr = st.latency, st.latencyErr, st.slowlog, st.slowlogErr
	return n
}

func (st *nodeState) readSlow(ctx context.Context, entries int) {
	lat, err := ask(st, "latency", func() ([]redis.Latency, error) { return st.c.Latency(ctx).Result() })
	st.latencyErr = errText(err)
	if err == nil {
		st.latency = st.latency[:0]
		for _, l := range lat {
			st.latency = append(st.latency, LatencyEvent{Event: l.Name, At: l.Time, Latest: l.Latest, Max: l.Max})
		}
	}
	logs, err := ask(st, "slowlog", func() ([]redis.SlowLog, error) { return st.c.SlowLogGet(ctx, int64(entries)).Result() })
	st.slowlogErr = errText(err)
	if err == nil {
		st.slowlog = st.slowlog[:0]
		for _, l := range logs {
			st.slowlog = append(st.slowlog, SlowEntry{ID: l.ID, At: l.Time, Duration: l.Duration, Command: slowCommand(l.Args)})
		}
	}
}

// ask runs one command unless it was refused for good before; a refusal
// for good (NOPERM, unknown command) is kept, so it is asked only once.
func ask[T any](st *nodeState, cmd string, run func() (T, error)) (T, error) {
	var zero T
	if why, ok := st.denied[cmd]; ok {
		return zero, deniedError(why)
	}
	v, err := run()
	if err != nil {
		if why, ok := refusedForGood(err); ok {
			st.denied[cmd] = why
			return zero, deniedError(why)
		}
		return zero, redactedError{err}
	}
	return v, nil
}

// refusedForGood says whether asking again cannot help: the user may not
// run the command (Redis 7: "NOPERM this user has no permissions to run
// the 'latency|latest' command") or the server does not have it.
func refusedForGood(err error) (string, bool) {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "NOPERM"):
		return "n/a (NOPERM)", true
	case strings.HasPrefix(msg, "ERR unknown command"), strings.HasPrefix(msg, "ERR unknown subcommand"):
		return "n/a (unknown command)", true
	}
	return "", false
}

type deniedError string

func (e deniedError) Error() string { return string(e) }

type redactedError struct{ err error }

func (e redactedError) Error() string { return redact.String(e.err.Error()) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// slowCommand is a slow-log entry's command and first argument (usually a
// key), cut short: never the values, which may be anything.
func slowCommand(args []string) string {
	if len(args) == 0 {
		return "?"
	}
	s := strings.ToUpper(args[0])
	if len(args) > 1 {
		key := args[1]
		if len(key) > 32 {
			key = key[:31] + "…"
		}
		s += " " + strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return '?'
			}
			return r
		}, key)
	}
	return redact.String(s)
}

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
