package redisstat

import (
	"context"
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
		// New slices each time: a Sample handed out earlier (a paused
		// screen draws one) keeps the old ones.
		st.latency = make([]LatencyEvent, 0, len(lat))
		for _, l := range lat {
			st.latency = append(st.latency, LatencyEvent{Event: l.Name, At: l.Time, Latest: l.Latest, Max: l.Max})
		}
	}
	logs, err := ask(st, "slowlog", func() ([]redis.SlowLog, error) { return st.c.SlowLogGet(ctx, int64(entries)).Result() })
	st.slowlogErr = errText(err)
	if err == nil {
		st.slowlog = make([]SlowEntry, 0, len(logs))
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
