package target

import (
	"strconv"
	"strings"
)

// ClusterNode is one line of CLUSTER NODES.
type ClusterNode struct {
	Node
	Flags     string // myself,master,slave,fail?,fail,handshake,noaddr,nofailover
	Myself    bool
	Connected bool // the link state
	Handshake bool
	NoAddr    bool
	masterID  string
}

// ParseClusterNodes reads CLUSTER NODES output: the address without the bus
// port or hostname, the role, a replica's master address, failure flags,
// the link state and a master's slots (importing and migrating entries
// skipped). Lines it cannot read are left out.
func ParseClusterNodes(raw string) []ClusterNode {
	var out []ClusterNode
	byID := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		addr, _, _ = strings.Cut(addr, ",")
		flags := f[2]
		n := ClusterNode{Flags: flags, Myself: hasFlag(flags, "myself"), Connected: f[7] == "connected",
			Handshake: hasFlag(flags, "handshake"), NoAddr: hasFlag(flags, "noaddr"), masterID: f[3]}
		n.Addr, n.ID = addr, f[0]
		n.Down = hasFlag(flags, "fail") || hasFlag(flags, "fail?")
		n.Role = Master
		if hasFlag(flags, "slave") || hasFlag(flags, "replica") {
			n.Role = Replica
		}
		for _, s := range f[8:] {
			if strings.HasPrefix(s, "[") {
				continue
			}
			from, to, ok := strings.Cut(s, "-")
			a, err1 := strconv.Atoi(from)
			b, err2 := strconv.Atoi(to)
			if !ok {
				b, err2 = a, nil
			}
			if err1 == nil && err2 == nil {
				n.Slots = append(n.Slots, SlotRange{a, b})
			}
		}
		byID[n.ID] = n.Addr
		out = append(out, n)
	}
	for i := range out {
		if out[i].Role == Replica {
			out[i].Master = byID[out[i].masterID]
		}
	}
	return out
}

func hasFlag(flags, flag string) bool {
	for f := range strings.SplitSeq(flags, ",") {
		if f == flag {
			return true
		}
	}
	return false
}
