package scenario

import (
	"fmt"
	"time"

	"github.com/rescli/rescli/pkg/chaos/inject"
)

// Scenario is one experiment file.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Target is the Redis URL; ${VAR} is expanded from the environment.
	Target string `yaml:"target"`
	// Allow lists host patterns server-side faults may touch.
	Allow []string `yaml:"allow"`
	// Load is the steady workload whose goodput and errors the probes see.
	Load       Load       `yaml:"load"`
	Hypothesis []Probe    `yaml:"hypothesis"`
	Method     []Step     `yaml:"method"`
	During     []Probe    `yaml:"during"` // probed every Every while the method runs
	Every      Duration   `yaml:"every"`
	Abort      Abort      `yaml:"abort"`
	Rollbacks  []Rollback `yaml:"rollbacks"`
}

// Load drives Rate operations per second (a SET and a GET) through a managed
// pool behind the scenario's proxy. Ranges are in validate.go.
type Load struct {
	Rate    int `yaml:"rate"`    // 1..MaxRate, default 200
	Workers int `yaml:"workers"` // 1..MaxWorkers, default 4
}

// Probe is one measurement with a tolerance.
type Probe struct {
	// Probe is breaker (Expect CLOSED|OPEN|HALF_OPEN), ping_p99 (Max
	// duration), error_rate (Max fraction over Window), goodput (Min
	// fraction of the baseline over Window), health (Service answers
	// Expect pass|warn|fail), herd_failed (Max services that failed in the
	// method's herds).
	Probe   string   `yaml:"probe"`
	Expect  string   `yaml:"expect"`
	Max     string   `yaml:"max"`
	Min     float64  `yaml:"min"`
	Window  Duration `yaml:"window"`
	Service string   `yaml:"service"`
	// Within is how long the hypothesis may take to hold again after the
	// method (a metastability bound); default 5s.
	Within Duration `yaml:"within"`
}

// Step is one timed action of the method.
type Step struct {
	At       Duration     `yaml:"at"`
	Duration Duration     `yaml:"duration"`
	Proxy    *ProxyFault  `yaml:"proxy"`
	Server   *ServerFault `yaml:"server"`
	Herd     *HerdStep    `yaml:"herd"`
}

// ProxyFault is a pkg/chaos toxic on the scenario's proxies: the one in
// front of every data node of the target, or of the node named by Node
// (host:port) or owning Key.
type ProxyFault struct {
	Type       string         `yaml:"type"`
	Stream     string         `yaml:"stream"`
	Toxicity   *float32       `yaml:"toxicity"`
	Attributes map[string]any `yaml:"attributes"`
	Node       string         `yaml:"node"`
	Key        string         `yaml:"key"`
}

// ServerFault is a `rescli chaos inject` fault on the target itself, on
// the nodes `chaos inject` would pick (the server, the master the
// Sentinels name, every Cluster master) or the one named by Node or owning
// Key. AllowDataLoss acknowledges a fault that evicts keys.
type ServerFault struct {
	Fault         string   `yaml:"fault"`
	Args          []string `yaml:"args"`
	Node          string   `yaml:"node"`
	Key           string   `yaml:"key"`
	AllowDataLoss bool     `yaml:"allow_data_loss"`
}

// selection is where a server fault goes.
func (f *ServerFault) selection() inject.Select { return inject.Select{Node: f.Node, Key: f.Key} }

// HerdStep starts a herd through the proxy.
type HerdStep struct {
	Services int    `yaml:"services"`
	Strategy string `yaml:"strategy"` // default managed
}

// Abort stops the method early when a during-probe failed this many times
// in a row (0: never).
type Abort struct {
	After int `yaml:"after"`
}

// Rollback is an extra action run after the method whatever happened; the
// faults the method set are always undone, listed here or not.
type Rollback struct {
	Action string `yaml:"action"` // reset-proxy | revert-server
}

// Duration is a time.Duration written as "1.5s", "200ms".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (want e.g. 500ms, 2s): %q", b)
	}
	if v < 0 {
		return fmt.Errorf("duration must not be negative: %q", b)
	}
	d.Duration = v
	return nil
}
