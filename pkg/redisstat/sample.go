package redisstat

import (
	"time"

	"github.com/rescli/rescli/pkg/target"
)

// Unknown is the value of a gauge the server did not report (an older
// Redis, or a server such as miniredis that leaves fields out).
const Unknown = -1

// Sample is one reading of every data node of a target.
type Sample struct {
	At   time.Time
	Kind target.Kind
	// Started is the first sample's time: the rates are since then. Every
	// is the INFO interval per node.
	Started time.Time
	Every   time.Duration
	// Master is the master now (Standalone and Sentinel). PrevMaster and
	// MasterSince say when it last changed while sampling, and from which
	// node; MasterSince is zero when it has not changed since Started.
	Master      string
	PrevMaster  string
	MasterSince time.Time
	// Via is the Sentinel or Cluster node that answered the last resolve.
	Via string
	// Nodes are the data nodes, sorted by address.
	Nodes []Node
	// Err says the last resolve failed (no Sentinel answered, say); Nodes
	// are then the ones known before.
	Err string
}

// Node is what one data node said. Gauges are Unknown when not reported.
type Node struct {
	Addr string
	// Role is INFO's role ("master" or "replica"), or the role the
	// topology gave until INFO answers.
	Role string
	// Err says INFO failed: the node is unreachable, refused rescli's
	// connection (maxclients) or the user may not run INFO.
	Err string

	Clients, Blocked int64
	// Rejected is how many connections the node refused (maxclients) since
	// sampling started, and RejectedRate that per second: the
	// thundering-herd signal. Rejected and Evicted are Unknown when the
	// server does not report them.
	Rejected     int64
	RejectedRate float64
	OpsPerSec    int64
	// HitRatio is keyspace hits / (hits + misses) in percent over the last
	// HitWindow; negative when there was no lookup in it.
	HitRatio float64
	// UsedMemory and MaxMemory are bytes (MaxMemory 0: no limit); Evicted
	// counts keys evicted since sampling started.
	UsedMemory, MaxMemory int64
	Evicted               int64
	// Replicas is a master's connected replicas. Lag is a replica's bytes
	// behind its master (the master's offset minus the replica's, from the
	// master's INFO), Unknown when its master was not read; LinkDown says
	// the replica's link to its master is down.
	Replicas int64
	Lag      int64
	LinkDown bool

	// Latency is LATENCY LATEST, Slowlog the slowest recent commands;
	// LatencyErr and SlowlogErr say why one is missing ("n/a (NOPERM)").
	Latency    []LatencyEvent
	LatencyErr string
	Slowlog    []SlowEntry
	SlowlogErr string
}

// LatencyEvent is one LATENCY LATEST line: the latest spike of an event
// class (command, fast-command, fork, ...) and its all-time maximum.
type LatencyEvent struct {
	Event       string
	At          time.Time
	Latest, Max time.Duration
}

// SlowEntry is one SLOWLOG GET entry: the command name and its first
// argument (a key, usually), never the values.
type SlowEntry struct {
	ID       int64
	At       time.Time
	Duration time.Duration
	Command  string
}
