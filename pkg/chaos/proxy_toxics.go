package chaos

import (
	"context"
	"fmt"
	"maps"
	"time"
)

// maxToxics caps the faults of one proxy: a day of delay each, their sum
// stays far inside time.Duration.
const maxToxics = 100

// AddToxic sets a new named fault on the proxy. It acts on open connections
// too, from their next request or chunk.
func (p *Proxy) AddToxic(t Toxic) (Toxic, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return Toxic{}, ErrClosed
	}
	p.nextSeq++
	in, err := newInstance(t, p.nextSeq)
	if err != nil {
		name := t.Name
		if name == "" {
			name = t.Type
		}
		return Toxic{}, fmt.Errorf("add toxic %q: %w", name, err)
	}
	cur := p.faults.Load()
	if cur.find(in.name) >= 0 {
		return Toxic{}, fmt.Errorf("add toxic %q: %w", in.name, ErrToxicExists)
	}
	if len(cur.all) >= maxToxics {
		return Toxic{}, fmt.Errorf("add toxic %q: %w toxics on proxy %s (at most %d)", in.name, ErrTooMany, p.name, maxToxics)
	}
	all := append(append([]*instance(nil), cur.all...), in)
	p.swapLocked(all, []*instance{in}, nil)
	return in.toxic(), nil
}

// UpdateToxic changes a fault's toxicity (nil: keep) and attributes (merged
// over the current ones, as Toxiproxy's PATCH does).
func (p *Proxy) UpdateToxic(name string, toxicity *float32, attrs Attributes) (Toxic, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.faults.Load()
	i := cur.find(name)
	if i < 0 {
		return Toxic{}, fmt.Errorf("update toxic %q: %w", name, ErrToxicNotFound)
	}
	old := cur.all[i]
	t := old.toxic()
	merged := maps.Clone(t.Attributes)
	if merged == nil {
		merged = Attributes{}
	}
	maps.Copy(merged, attrs)
	t.Attributes = merged
	if toxicity != nil {
		t.Toxicity = *toxicity
	}
	p.nextSeq++
	in, err := newInstance(t, p.nextSeq)
	if err != nil {
		return Toxic{}, fmt.Errorf("update toxic %q: %w", name, err)
	}
	in.injected = old.injected
	all := append([]*instance(nil), cur.all...)
	all[i] = in
	p.swapLocked(all, []*instance{in}, []*instance{old})
	return in.toxic(), nil
}

// RemoveToxic removes a fault; data it was holding flows on at once.
func (p *Proxy) RemoveToxic(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.faults.Load()
	i := cur.find(name)
	if i < 0 {
		return fmt.Errorf("remove toxic %q: %w", name, ErrToxicNotFound)
	}
	all := append(append([]*instance(nil), cur.all[:i]...), cur.all[i+1:]...)
	p.swapLocked(all, nil, []*instance{cur.all[i]})
	return nil
}

// ResetToxics removes every fault.
func (p *Proxy) ResetToxics() {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.faults.Load()
	p.swapLocked(nil, nil, cur.all)
}

// Toxics lists the faults in the order they apply.
func (p *Proxy) Toxics() []Toxic {
	all := p.faults.Load().all
	out := make([]Toxic, len(all))
	for i, in := range all {
		out[i] = in.toxic()
	}
	return out
}

// Toxic returns one fault by name.
func (p *Proxy) Toxic(name string) (Toxic, error) {
	cur := p.faults.Load()
	if i := cur.find(name); i >= 0 {
		return cur.all[i].toxic(), nil
	}
	return Toxic{}, fmt.Errorf("get toxic %q: %w", name, ErrToxicNotFound)
}

// runner is a ProxyFault's goroutine: stop ends it, done is closed once it
// has undone what it did.
type runner struct {
	stop context.CancelFunc
	done chan struct{}
}

// runnerUndoWait bounds how long a fault change waits for a removed
// ProxyFault to undo itself (Run must return when its context ends; one
// that does not only delays the API's answer).
const runnerUndoWait = 5 * time.Second

// swapLocked publishes a new fault set, starts the proxy-wide goroutines of
// added faults and stops those of removed ones, waiting until they have
// undone what they did: once RemoveToxic returns, a removed down or restart
// no longer refuses connections. p.mu is held; the waiting and notify run
// after it is released.
func (p *Proxy) swapLocked(all, added, removed []*instance) {
	p.faults.Store(newFaultSet(all))
	p.syncAcceptorLocked()
	var undone []chan struct{}
	for _, in := range removed {
		if r, ok := p.runners[in.seq]; ok {
			r.stop()
			undone = append(undone, r.done)
			delete(p.runners, in.seq)
		}
	}
	for _, in := range added {
		pf, ok := in.fault.(ProxyFault)
		if !ok || p.closed {
			continue
		}
		ctx, stop := context.WithCancel(p.ctx)
		done := make(chan struct{})
		p.runners[in.seq] = runner{stop: stop, done: done}
		in.injected.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(done)
			ctl := &Control{p: p}
			defer func() { p.recovered(recover(), "the run of fault "+in.name, ctl.undo) }()
			pf.Run(ctx, ctl)
		}()
	}
	p.mu.Unlock()
	waitAll(undone, runnerUndoWait)
	p.notify()
	p.mu.Lock()
}

// waitAll waits until every channel is closed or d has passed.
func waitAll(chs []chan struct{}, d time.Duration) {
	if len(chs) == 0 {
		return
	}
	timeout := time.NewTimer(d)
	defer timeout.Stop()
	for _, ch := range chs {
		select {
		case <-ch:
		case <-timeout.C:
			return
		}
	}
}
