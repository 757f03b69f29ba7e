package verify

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redisinfo"
	"github.com/rescli/rescli/pkg/target"
)

// node picks the one node the server checks talk to: the server itself,
// the master the Sentinels name now, or the Cluster seed that answered.
// When the target cannot be resolved it is the first address, so that the
// connectivity check reports why.
func node(topo *target.Topology, t target.Target) string {
	if topo == nil {
		return t.Addrs[0]
	}
	if m, ok := topo.Master(); ok {
		return m.Addr
	}
	return topo.Via
}

// sentinelView is what one Sentinel says about the master.
type sentinelView struct {
	addr   string
	master string
	flags  string
	quorum string
	err    error
}

// sentinelMaster returns the master the first answering Sentinel names.
func sentinelMaster(ctx context.Context, t target.Target) (string, []sentinelView, error) {
	views := askSentinels(ctx, t)
	for _, v := range views {
		if v.err == nil {
			return v.master, views, nil
		}
	}
	return "", views, fmt.Errorf("no sentinel answered: %w", views[0].err)
}

// askSentinels asks every Sentinel, not only the first that answers: the
// check is about whether they agree.
func askSentinels(ctx context.Context, t target.Target) []sentinelView {
	var out []sentinelView
	for _, a := range t.Addrs {
		sc := t.SentinelClient(a)
		m, err := sc.Master(ctx, t.MasterName).Result()
		_ = sc.Close()
		v := sentinelView{addr: a, err: err}
		if err == nil {
			v.master, v.flags, v.quorum = net.JoinHostPort(m["ip"], m["port"]), m["flags"], m["quorum"]
		}
		out = append(out, v)
	}
	return out
}

func checkSentinel(ctx context.Context, e *env, _ string) Result {
	if e.tgt.Kind != target.Sentinel {
		return skipped("not a Sentinel target (redis+sentinel://...)")
	}
	_, views, err := sentinelMaster(ctx, e.tgt)
	if err != nil {
		return fail(err.Error(), "no Sentinel answered: check the addresses, the port (26379) and the Sentinel password in the URL's userinfo")
	}
	masters := map[string]int{}
	up := 0
	for _, v := range views {
		if v.err == nil {
			up++
			masters[v.master]++
		}
	}
	first := views[slices.IndexFunc(views, func(v sentinelView) bool { return v.err == nil })]
	quorum, _ := strconv.Atoi(first.quorum)
	value := fmt.Sprintf("%d/%d sentinels answer, quorum %d", up, len(views), quorum)
	if len(masters) > 1 {
		return fail(fmt.Sprintf("%s, but they name different masters %v", value, masters), "split brain risk: the Sentinels disagree on the master; check their connectivity to each other and SENTINEL RESET")
	}
	if up < quorum {
		return fail(value, fmt.Sprintf("fewer Sentinels answer than the quorum (%d): no failover can be authorised", quorum))
	}
	value += ", master " + first.master
	if strings.Contains(first.flags, "down") {
		return fail(value+" flagged "+first.flags, "the Sentinels see the master down and no failover has completed: check the replicas")
	}
	sc := e.tgt.SentinelClient(first.addr)
	defer sc.Close()
	if ck, err := sc.CkQuorum(ctx, e.tgt.MasterName).Result(); err != nil {
		return fail(value+": "+err.Error(), "SENTINEL CKQUORUM failed: the Sentinels that can be reached cannot authorise a failover")
	} else if !strings.HasPrefix(ck, "OK") {
		return fail(value+": "+ck, "SENTINEL CKQUORUM failed")
	}
	return sentinelReplicas(ctx, sc, e.tgt, value, up < len(views))
}

func sentinelReplicas(ctx context.Context, sc *redis.SentinelClient, t target.Target, value string, someDown bool) Result {
	reps, err := sc.Replicas(ctx, t.MasterName).Result()
	if err != nil {
		return errored(err)
	}
	linked := 0
	var broken []string
	for _, r := range reps {
		a := net.JoinHostPort(r["ip"], r["port"])
		link := r["master-link-status"]
		if !strings.Contains(r["flags"], "down") {
			link = replicaLink(ctx, t, a, link)
		}
		if strings.Contains(r["flags"], "down") || link != "ok" {
			broken = append(broken, fmt.Sprintf("%s (%s, link %s)", a, r["flags"], link))
			continue
		}
		linked++
	}
	value += fmt.Sprintf(", %d replica(s) linked", linked)
	switch {
	case linked == 0:
		return fail(value, "no replica is linked to the master: a failover would have nothing to promote")
	case len(broken) > 0:
		return warn(value+"; not linked: "+strings.Join(broken, ", "), "a replica is down or its link to the master is broken (SENTINEL REPLICAS shows it)")
	case someDown:
		return warn(value, "some Sentinels do not answer: the quorum still holds, but one more loss may not")
	}
	return pass(value)
}

// replicaLink asks the replica itself: a Sentinel refreshes its view of
// replicas only every 10s, so "err" there may be a sync that finished since.
func replicaLink(ctx context.Context, t target.Target, addr, sentinelSays string) string {
	c := t.NodeClient(addr)
	defer c.Close()
	raw, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return sentinelSays
	}
	if redisinfo.Parse(raw)["master_link_status"] == "up" {
		return "ok"
	}
	return "err"
}

func checkCluster(ctx context.Context, e *env, _ string) Result {
	if e.tgt.Kind != target.Cluster {
		return skipped("not a Cluster target (redis+cluster://...)")
	}
	raw, err := e.client.ClusterInfo(ctx).Result()
	if err != nil {
		return errored(err)
	}
	ci := redisinfo.Parse(raw)
	value := fmt.Sprintf("cluster_state:%s, slots assigned %s ok %s pfail %s fail %s, %s nodes",
		ci["cluster_state"], ci["cluster_slots_assigned"], ci["cluster_slots_ok"], ci["cluster_slots_pfail"], ci["cluster_slots_fail"], ci["cluster_known_nodes"])
	if ci["cluster_state"] != "ok" {
		return fail(value, "the cluster refuses commands (CLUSTERDOWN): a master without a working replica failed, or slots are unassigned")
	}
	if ci["cluster_slots_assigned"] != "16384" || ci["cluster_slots_ok"] != "16384" {
		return fail(value, "not all 16384 slots are served: assign the missing slots (redis-cli --cluster fix) or bring their master back")
	}
	nodes, err := e.client.ClusterNodes(ctx).Result()
	if err != nil {
		return errored(err)
	}
	failed, alone := clusterNodeProblems(nodes)
	if len(failed) > 0 {
		value += "; failing: " + strings.Join(failed, ", ")
	}
	if len(alone) > 0 {
		value += "; masters without a replica: " + strings.Join(alone, ", ")
	}
	switch {
	case len(failed) > 0:
		return fail(value, "a node is in fail or pfail state: restart it or remove it (CLUSTER FORGET)")
	case len(alone) > 0:
		return fail(value, "a master without a linked replica cannot fail over: bring its replica back or add one (redis-cli --cluster add-node --cluster-slave)")
	}
	return pass(value + ", every master has a replica")
}

// clusterNodeProblems reads CLUSTER NODES: nodes flagged fail or fail?,
// and masters with slots but no healthy replica.
func clusterNodeProblems(raw string) (failed, alone []string) {
	replicas := map[string]int{} // master id -> healthy replicas
	type master struct{ id, addr string }
	var masters []master
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		id, addr, flags, masterID := f[0], strings.Split(f[1], "@")[0], f[2], f[3]
		bad := strings.Contains(flags, "fail")
		if bad {
			failed = append(failed, addr+" "+flags)
		}
		switch {
		case strings.Contains(flags, "master") && !bad && len(f) > 8:
			masters = append(masters, master{id, addr})
		case strings.Contains(flags, "slave") && !bad && f[7] == "connected":
			replicas[masterID]++
		}
	}
	for _, m := range masters {
		if replicas[m.id] == 0 {
			alone = append(alone, m.addr)
		}
	}
	return failed, alone
}
