package localredis

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// WaitHealthy waits until every running Sentinel agrees on the master, sees
// the running replicas and the other Sentinels, and every running replica's
// link is up.
func (d *Sentinel) WaitHealthy(limit time.Duration) error {
	return WaitUntil(limit, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		master, err := d.CurrentMaster(ctx)
		if err != nil {
			return err
		}
		if master.Exited() {
			return fmt.Errorf("master %s is down", master.Addr)
		}
		replicas := 0
		for _, n := range []*Server{d.Master, d.Replica} {
			if n == master || n.Exited() {
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
		if !s.Exited() {
			running++
		}
	}
	for _, s := range d.Sentinels {
		if s.Exited() {
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
