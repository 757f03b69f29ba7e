package redistest

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

// MasterName is the name the test Sentinels monitor.
const MasterName = "mymaster"

// Sentinel is a master, one replica and three Sentinels (quorum 2,
// down-after-milliseconds 1000) on loopback. Master and Replica are the
// initial roles; after a failover ask CurrentMaster.
type Sentinel struct {
	t         T
	Master    *Server
	Replica   *Server
	Sentinels []*Server
}

// StartSentinel starts the deployment (extra flags go to both data nodes;
// a --requirepass is also given to the replica as masterauth and to the
// Sentinels as auth-pass) and waits until every Sentinel knows the master,
// the replica and the two other Sentinels, and the replica's link is up.
func StartSentinel(t T, extra ...string) *Sentinel {
	t.Helper()
	d := &Sentinel{t: t}
	data := append([]string{"--repl-diskless-sync-delay", "0"}, extra...)
	d.Master = Start(t, data...)
	replicaArgs := append([]string{"--replicaof", "127.0.0.1", strconv.Itoa(d.Master.Port)}, data...)
	if d.Master.Password != "" {
		replicaArgs = append(replicaArgs, "--masterauth", d.Master.Password)
	}
	d.Replica = Start(t, replicaArgs...)
	// Sentinels read a replica's INFO when they find it and then only every
	// 10s: start them once it is in sync, or they would call it broken (and
	// refuse to fail over to it) for those 10s.
	if err := waitUntil(10*time.Second, func() error {
		if st := d.Replica.Info("master_link_status"); st != "up" {
			return fmt.Errorf("replica link %q", st)
		}
		return nil
	}); err != nil {
		t.Fatalf("replica never synced: %v", err)
	}
	for range 3 {
		d.Sentinels = append(d.Sentinels, startSentinel(t, d.Master))
	}
	if err := d.WaitHealthy(30 * time.Second); err != nil {
		t.Fatalf("sentinel deployment never became healthy: %v", err)
	}
	return d
}

func startSentinel(t T, master *Server) *Server {
	t.Helper()
	s := &Server{t: t, bin: lookup(t, "redis-sentinel"), dir: t.TempDir()}
	t.Cleanup(s.cleanup)
	var lastErr error
	for range 5 {
		port, err := FreePort()
		if err != nil {
			t.Fatalf("find free port: %v", err)
		}
		s.Port, s.Addr = port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.conf = filepath.Join(s.dir, "sentinel.conf")
		if err := os.WriteFile(s.conf, []byte(sentinelConf(s, master)), 0o600); err != nil {
			t.Fatalf("write sentinel config: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("start redis-sentinel: %v", lastErr)
	return nil
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
func (d *Sentinel) SentinelAddrs() []string {
	out := make([]string, len(d.Sentinels))
	for i, s := range d.Sentinels {
		out[i] = s.Addr
	}
	return out
}

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
		if s.exited() {
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

// WaitHealthy waits until every running Sentinel agrees on the master, sees
// the running replicas and the other Sentinels, and every running replica's
// link is up.
func (d *Sentinel) WaitHealthy(limit time.Duration) error {
	return waitUntil(limit, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		master, err := d.CurrentMaster(ctx)
		if err != nil {
			return err
		}
		if master.exited() {
			return fmt.Errorf("master %s is down", master.Addr)
		}
		replicas := 0
		for _, n := range []*Server{d.Master, d.Replica} {
			if n == master || n.exited() {
				continue
			}
			replicas++
			if ri := n.infoAll(); ri["master_link_status"] != "up" || ri["master_port"] != strconv.Itoa(master.Port) {
				return fmt.Errorf("replica %s: link to %s is %q", n.Addr, master.Addr, ri["master_link_status"])
			}
		}
		mi := master.infoAll()
		if online := strings.Count(mi["slave0"]+mi["slave1"], "state=online"); online < replicas {
			return fmt.Errorf("master %s sees %d of %d replicas online", master.Addr, online, replicas)
		}
		return d.sentinelsAgree(ctx, master, replicas)
	})
}

func (d *Sentinel) sentinelsAgree(ctx context.Context, master *Server, replicas int) error {
	running := 0
	for _, s := range d.Sentinels {
		if !s.exited() {
			running++
		}
	}
	for _, s := range d.Sentinels {
		if s.exited() {
			continue
		}
		sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DisableIdentity: true})
		m, err := sc.Master(ctx, MasterName).Result()
		_ = sc.Close()
		if err != nil {
			return fmt.Errorf("sentinel %s: %w", s.Addr, err)
		}
		if got := net.JoinHostPort(m["ip"], m["port"]); got != master.Addr || m["flags"] != "master" {
			return fmt.Errorf("sentinel %s: master %s flags %s", s.Addr, got, m["flags"])
		}
		if err := replicasGood(ctx, s); err != nil {
			return fmt.Errorf("sentinel %s: %w", s.Addr, err)
		}
		// Sentinels never forget a peer or a replica they once saw: count at least.
		others, _ := strconv.Atoi(m["num-other-sentinels"])
		slaves, _ := strconv.Atoi(m["num-slaves"])
		if others < running-1 || slaves < replicas {
			return fmt.Errorf("sentinel %s: sees %s other sentinels, %s replicas", s.Addr, m["num-other-sentinels"], m["num-slaves"])
		}
	}
	return nil
}

// replicasGood checks that a Sentinel sees every replica it knows that is
// not down as linked to the master (it would not promote it otherwise).
func replicasGood(ctx context.Context, s *Server) error {
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DisableIdentity: true})
	defer sc.Close()
	reps, err := sc.Replicas(ctx, MasterName).Result()
	if err != nil {
		return err
	}
	for _, r := range reps {
		if !strings.Contains(r["flags"], "down") && r["master-link-status"] != "ok" {
			return fmt.Errorf("replica %s:%s link %s", r["ip"], r["port"], r["master-link-status"])
		}
	}
	return nil
}
