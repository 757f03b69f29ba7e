package localredis

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the Sentinels monitor.
const MasterName = "mymaster"

// Sentinel is a master, one replica and three Sentinels (quorum 2,
// down-after-milliseconds 1000) on loopback. Master and Replica are the
// initial roles; after a failover ask CurrentMaster.
type Sentinel struct {
	Master    *Server
	Replica   *Server
	Sentinels []*Server
}

// StartSentinel starts the deployment, each process in its own directory
// (master, replica, sentinel1..3) under dir. extra flags go to both data
// nodes; a --requirepass is also given to the replica as masterauth and to
// the Sentinels as auth-pass. It waits until every Sentinel knows the
// master, the replica and the two other Sentinels, and the replica's link
// is up. On an error every process started is killed; on success the
// caller calls Close.
func StartSentinel(dir string, extra ...string) (_ *Sentinel, err error) {
	bin, err := LookPath("redis-sentinel")
	if err != nil {
		return nil, err
	}
	d := &Sentinel{}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	data := append([]string{"--repl-diskless-sync-delay", "0"}, extra...)
	if d.Master, err = Start(filepath.Join(dir, "master"), data...); err != nil {
		return nil, err
	}
	replicaArgs := append([]string{"--replicaof", "127.0.0.1", strconv.Itoa(d.Master.Port)}, data...)
	if d.Master.Password != "" {
		replicaArgs = append(replicaArgs, "--masterauth", d.Master.Password)
	}
	if d.Replica, err = Start(filepath.Join(dir, "replica"), replicaArgs...); err != nil {
		return nil, err
	}
	// Sentinels read a replica's INFO when they find it and then only every
	// 10s: start them once it is in sync, or they would call it broken (and
	// refuse to fail over to it) for those 10s.
	if err := WaitUntil(10*time.Second, func() error {
		if st := d.Replica.Info("master_link_status"); st != "up" {
			return fmt.Errorf("replica link %q", st)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("replica never synced: %w", err)
	}
	for i := range 3 {
		s, err := startSentinel(bin, filepath.Join(dir, fmt.Sprintf("sentinel%d", i+1)), d.Master)
		if err != nil {
			return nil, err
		}
		d.Sentinels = append(d.Sentinels, s)
	}
	if err := d.WaitHealthy(30 * time.Second); err != nil {
		return nil, fmt.Errorf("sentinel deployment never became healthy: %w", err)
	}
	return d, nil
}

// Close kills every process, the Sentinels first.
func (d *Sentinel) Close() { killAll(append([]*Server{d.Master, d.Replica}, d.Sentinels...)) }

func startSentinel(bin, dir string, master *Server) (*Server, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create sentinel dir: %w", err)
	}
	s := &Server{bin: bin, dir: dir}
	var lastErr error
	for range 5 {
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.conf = filepath.Join(s.dir, "sentinel.conf")
		if err := os.WriteFile(s.conf, []byte(sentinelConf(s, master)), 0o600); err != nil {
			return nil, fmt.Errorf("write sentinel config: %w", err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("start redis-sentinel: %w", lastErr)
}

// sentinelConf is a fresh, writable config: Sentinel rewrites it.
func sentinelConf(s, master *Server) string {
	lines := []string{
		"port " + strconv.Itoa(s.Port), "bind 127.0.0.1", "protected-mode no", "daemonize no",
		"dir " + s.dir, "logfile " + filepath.Join(s.dir, "redis.log"),
		fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", MasterName, master.Port),
		"sentinel down-after-milliseconds " + MasterName + " 1000",
		"sentinel failover-timeout " + MasterName + " 10000",
		"sentinel parallel-syncs " + MasterName + " 1",
	}
	if master.Password != "" {
		lines = append(lines, "sentinel auth-pass "+MasterName+" "+master.Password)
	}
	return strings.Join(lines, "\n") + "\n"
}

// SentinelAddrs returns the Sentinels' host:port.
func (d *Sentinel) SentinelAddrs() []string { return addrs(d.Sentinels) }

// URL returns redis+sentinel://s1,s2,s3/mymaster (with the data nodes'
// password as ?password= when there is one).
func (d *Sentinel) URL() string {
	u := "redis+sentinel://" + strings.Join(d.SentinelAddrs(), ",") + "/" + MasterName
	if d.Master.Password != "" {
		u += "?password=" + d.Master.Password
	}
	return u
}

// CurrentMaster asks the Sentinels which data node is the master now.
func (d *Sentinel) CurrentMaster(ctx context.Context) (*Server, error) {
	var lastErr error
	for _, s := range d.Sentinels {
		if s.Exited() {
			continue
		}
		sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DisableIdentity: true})
		addr, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
		_ = sc.Close()
		if err != nil {
			lastErr = err
			continue
		}
		hostPort := net.JoinHostPort(addr[0], addr[1])
		for _, n := range []*Server{d.Master, d.Replica} {
			if n.Addr == hostPort {
				return n, nil
			}
		}
		return nil, fmt.Errorf("sentinels name %s as master, not a node of this deployment", hostPort)
	}
	return nil, fmt.Errorf("no sentinel answered: %w", lastErr)
}
