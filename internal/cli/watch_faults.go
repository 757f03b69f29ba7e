package cli

import (
	"fmt"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/rig"
	"github.com/rescli/rescli/pkg/tui"
)

// watchFault is one entry of the f menu and the toxic it sets.
type watchFault struct {
	opt   tui.FaultOption
	toxic chaos.Toxic
	// dropConns closes the open connections as the fault is set, so that it
	// shows at once (maxclients only turns away new connections).
	dropConns bool
}

var watchFaultMenu = []watchFault{
	{opt: tui.FaultOption{ID: "latency", Label: "latency", Help: "+500ms on every reply"},
		toxic: chaos.Toxic{Type: "latency", Stream: chaos.StreamDownstream, Attributes: chaos.Attributes{"latency": 500}}},
	{opt: tui.FaultOption{ID: "blackhole", Label: "blackhole", Help: "swallow every byte: probes time out"},
		toxic: chaos.Toxic{Type: "timeout", Stream: chaos.StreamBoth, Attributes: chaos.Attributes{"timeout": 0}}},
	{opt: tui.FaultOption{ID: "reset", Label: "reset", Help: "reset every connection (connection reset by peer)"},
		toxic: chaos.Toxic{Type: "reset_peer", Stream: chaos.StreamDownstream, Attributes: chaos.Attributes{"timeout": 0}}},
	{opt: tui.FaultOption{ID: "down", Label: "down", Help: "refuse connections (ECONNREFUSED)"},
		toxic: chaos.Toxic{Type: "down"}},
	{opt: tui.FaultOption{ID: "maxclients", Label: "maxclients", Help: "drop connections; new ones get ERR max clients"},
		toxic: chaos.Toxic{Type: "maxclients", Attributes: chaos.Attributes{"limit": 0}}, dropConns: true},
	{opt: tui.FaultOption{ID: "loading", Label: "LOADING", Help: "answer every command -LOADING"},
		toxic: chaos.Toxic{Type: "error", Attributes: chaos.Attributes{"error": "LOADING"}}},
	{opt: tui.FaultOption{ID: "restart", Label: "restart", Help: "play a restart: 3s refused, 2s LOADING"},
		toxic: chaos.Toxic{Type: "restart", Attributes: chaos.Attributes{"refuse": 3000, "loading": 2000}}},
	{opt: tui.FaultOption{ID: tui.ClearID, Label: "clear all", Help: "remove every fault"}},
}

// watchFaults is the f menu's controller over watch's own rig: a fault
// goes on the proxy in front of every node of the target.
type watchFaults struct{ r *rig.Rig }

func (f *watchFaults) Options() []tui.FaultOption {
	out := make([]tui.FaultOption, len(watchFaultMenu))
	for i, wf := range watchFaultMenu {
		out[i] = wf.opt
	}
	return out
}

func (f *watchFaults) Apply(id string) ([]tui.ActiveFault, error) {
	if id == tui.ClearID {
		f.clear()
		return f.active(), nil
	}
	for _, wf := range watchFaultMenu {
		if wf.opt.ID != id {
			continue
		}
		t := wf.toxic
		t.Name, t.Toxicity = id, 1
		if err := f.r.AddToxic(t); err != nil {
			return f.active(), err
		}
		if wf.dropConns {
			for _, p := range f.r.Proxies() {
				for _, c := range p.Connections() {
					_ = p.KillConnection(c.ID)
				}
			}
		}
		return f.active(), nil
	}
	return f.active(), fmt.Errorf("unknown fault %q", id)
}

func (f *watchFaults) clear() { _ = f.r.Clear() }

// active lists the faults set, each counted over every node's proxy.
func (f *watchFaults) active() []tui.ActiveFault {
	var out []tui.ActiveFault
	at := map[string]int{}
	for _, p := range f.r.Proxies() {
		for _, t := range p.Toxics() {
			i, ok := at[t.Name]
			if !ok {
				i = len(out)
				at[t.Name] = i
				out = append(out, tui.ActiveFault{Name: t.Name, Detail: t.Type + ", " + t.Stream})
			}
			out[i].Injected += t.Injected
		}
	}
	return out
}
