package verify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/rescli/rescli/internal/quantile"
	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/manager"
)

func checkConnectivity(ctx context.Context, e *env, _ string) Result {
	if e.topoErr != nil {
		return fail(e.topoErr.Error(), "the Sentinels or Cluster seeds in the URL did not answer: check their addresses, ports and the credentials for each (a Sentinel's go in the userinfo, the data nodes' in ?username=&password=)")
	}
	start := time.Now()
	err := e.client.Ping(ctx).Err()
	took := time.Since(start)
	if err != nil {
		return fail(err.Error(), connectHint(err, e))
	}
	e.reachable = true
	info, err := e.info(ctx)
	if err != nil {
		return warn(fmt.Sprintf("PING ok in %s, INFO failed: %v", round(took), err), "grant the user INFO (ACL +info) so the other checks can run")
	}
	e.infoStart = info
	auth, tlsOn := "none", "off"
	if e.redisOpts.Password != "" {
		auth = "ok"
	}
	if e.redisOpts.TLSConfig != nil {
		tlsOn = "on"
	}
	return pass(fmt.Sprintf("connect+PING %s, auth %s, tls %s, redis %s, role %s",
		round(took), auth, tlsOn, info["redis_version"], info["role"]))
}

func connectHint(err error, e *env) string {
	var tlsErr *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "WRONGPASS"), strings.HasPrefix(msg, "NOAUTH"), strings.Contains(msg, "invalid password"):
		return "authentication failed: check the user and password in --redis-url (redis://user:password@host:port)"
	case errors.As(err, &tlsErr), strings.Contains(msg, "tls:"), strings.Contains(msg, "x509"):
		return "TLS failed: use rediss:// only if the server speaks TLS, and check its certificate and server name"
	case manager.Classify(err) == manager.Dial:
		return fmt.Sprintf("nothing accepts connections at %s: is Redis running, and is the port reachable from here?", e.redisOpts.Addr)
	case manager.Classify(err) == manager.Timeout:
		return "no answer in time: a firewall dropping packets, or a server that is stuck (DEBUG SLEEP, a long script, swapping)"
	case manager.Classify(err) == manager.MaxClients:
		return "the server is at maxclients: raise maxclients or reduce the clients' pools"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "network error: check the host, port and any proxy in between"
	}
	return "see the error; try redis-cli -u with the same URL"
}

func checkLatency(ctx context.Context, e *env, _ string) Result {
	samples := make([]time.Duration, 0, e.opts.Pings)
	for range e.opts.Pings {
		start := time.Now()
		if err := e.client.Ping(ctx).Err(); err != nil {
			return fail(fmt.Sprintf("PING failed after %d: %v", len(samples), err), "the target stopped answering during the check")
		}
		samples = append(samples, time.Since(start))
	}
	p50, p99 := quantile.Nearest(samples, 0.50), quantile.Nearest(samples, 0.99)
	value := fmt.Sprintf("p50 %s, p99 %s over %d PINGs", round(p50), round(p99), len(samples))
	switch {
	case p99 > e.opts.LatencyFail:
		return fail(value, fmt.Sprintf("p99 above %s: look for slow commands (SLOWLOG GET), CPU saturation, swapping or network distance", e.opts.LatencyFail))
	case p99 > e.opts.LatencyWarn:
		return warn(value, fmt.Sprintf("p99 above %s: check SLOWLOG GET and the network path", e.opts.LatencyWarn))
	}
	return pass(value)
}

func checkMemory(ctx context.Context, e *env, _ string) Result {
	info, err := e.startInfo()
	if err != nil {
		return errored(err)
	}
	used, max := info.Int("used_memory"), info.Int("maxmemory")
	policy := info["maxmemory_policy"]
	if max == 0 {
		v := fmt.Sprintf("used %s, no maxmemory, policy %s", byteSize(used), policy)
		if e.opts.Role == "cache" {
			return warn(v, "a cache without maxmemory grows until the host runs out of RAM: set maxmemory and an allkeys-lru/lfu policy")
		}
		return pass(v)
	}
	pct := float64(used) / float64(max) * 100
	v := fmt.Sprintf("used %s of %s (%.0f%%), policy %s", byteSize(used), byteSize(max), pct, policy)
	switch {
	case pct >= 95 && policy == "noeviction":
		return fail(v, "nearly full with noeviction: writes will fail with OOM; raise maxmemory or delete data")
	case e.opts.Role == "cache" && !strings.HasPrefix(policy, "allkeys-"):
		return warn(v, "for a cache use allkeys-lru or allkeys-lfu, so any key can be evicted")
	case e.opts.Role == "store" && policy != "noeviction":
		return warn(v, "for a store use noeviction: evicting a store's keys loses data silently")
	case pct >= 90:
		return warn(v, "above 90% of maxmemory: evictions or OOM errors are near")
	}
	return pass(v)
}

func checkPersistence(ctx context.Context, e *env, _ string) Result {
	info, err := e.startInfo()
	if err != nil {
		return errored(err)
	}
	if info["rdb_last_bgsave_status"] == "err" {
		return fail("last RDB save failed", "check the Redis log and disk space; with stop-writes-on-bgsave-error writes are refused")
	}
	if info["aof_enabled"] == "1" && info["aof_last_write_status"] == "err" {
		return fail("last AOF write failed", "check the Redis log and disk space")
	}
	aof := info["aof_enabled"] == "1"
	saves := e.configGet(ctx, "save")
	v := fmt.Sprintf("aof %s, rdb save %q, %s changes since last save", onOff(aof), saves, info["rdb_changes_since_last_save"])
	if e.opts.Role == "store" && !aof && strings.TrimSpace(saves) == "" {
		return warn(v, "a store with neither AOF nor RDB snapshots loses everything on restart: enable appendonly or save")
	}
	return pass(v)
}

func checkReplication(ctx context.Context, e *env, _ string) Result {
	info, err := e.startInfo()
	if err != nil {
		return errored(err)
	}
	switch info["role"] {
	case "slave":
		v := fmt.Sprintf("replica of %s:%s, link %s, last io %ss ago", info["master_host"], info["master_port"], info["master_link_status"], info["master_last_io_seconds_ago"])
		if info["master_link_status"] != "up" {
			return fail(v, "the replica's link to its master is down: check the master's reachability and masterauth")
		}
		if info.Int("master_last_io_seconds_ago") > 10 {
			return warn(v, "no data from the master for over 10s")
		}
		return pass(v)
	case "master":
		n := int(info.Int("connected_slaves"))
		v := fmt.Sprintf("master with %d replica(s)", n)
		offset := info.Int("master_repl_offset")
		for i := range n {
			f := fields(info[fmt.Sprintf("slave%d", i)])
			lag := offset - f.Int("offset")
			v += fmt.Sprintf("; %s:%s %s lag %d bytes", f["ip"], f["port"], f["state"], lag)
			if f["state"] != "online" {
				return warn(v, "a replica is not online (still syncing or broken)")
			}
		}
		return pass(v)
	}
	return pass("role " + info["role"])
}

// fields reads INFO's "slave0:ip=…,port=…,state=…,offset=…" values.
func fields(s string) redisinfo.Fields {
	out := redisinfo.Fields{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// round keeps three significant digits or so.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}

func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
