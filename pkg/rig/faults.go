package rig

import (
	"errors"
	"slices"

	"github.com/rescli/rescli/pkg/chaos"
)

// AddToxic sets t on every proxy, and on every proxy made later. On an
// error the proxies that took it are left as they are; RemoveToxic undoes.
func (r *Rig) AddToxic(t chaos.Toxic) error {
	r.mu.Lock()
	r.toxics = append(r.toxics, t)
	r.mu.Unlock()
	var errs []error
	for _, p := range r.Proxies() {
		if _, err := p.AddToxic(t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AddToxicTo sets t on the proxy in front of upstream only.
func (r *Rig) AddToxicTo(upstream string, t chaos.Toxic) error {
	p, err := r.proxyFor(upstream)
	if err != nil {
		return err
	}
	_, err = p.AddToxic(t)
	return err
}

// RemoveToxic removes the fault named name from every proxy that has it.
func (r *Rig) RemoveToxic(name string) error {
	r.mu.Lock()
	r.toxics = slices.DeleteFunc(r.toxics, func(t chaos.Toxic) bool { return t.Name == name })
	r.mu.Unlock()
	var errs []error
	for _, p := range r.Proxies() {
		if err := p.RemoveToxic(name); err != nil && !errors.Is(err, chaos.ErrToxicNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Clear removes every fault from every proxy.
func (r *Rig) Clear() error {
	r.mu.Lock()
	r.toxics = nil
	r.mu.Unlock()
	var errs []error
	for _, p := range r.Proxies() {
		for _, t := range p.Toxics() {
			if err := p.RemoveToxic(t.Name); err != nil && !errors.Is(err, chaos.ErrToxicNotFound) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Stats sums the proxies' counters. Peak is the sum of each proxy's peak:
// an upper bound of the connections open at one moment over all nodes.
func (r *Rig) Stats() chaos.Stats {
	var sum chaos.Stats
	for _, p := range r.Proxies() {
		st := p.Stats()
		sum.Current += st.Current
		sum.Peak += st.Peak
		sum.Rejected += st.Rejected
		sum.Accepted += st.Accepted
		sum.DialErrors += st.DialErrors
	}
	return sum
}

// Close removes every fault and closes every proxy (their connections
// with them).
func (r *Rig) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	proxies := make([]*chaos.Proxy, 0, len(r.proxies))
	for _, p := range r.proxies {
		proxies = append(proxies, p)
	}
	r.mu.Unlock()
	var errs []error
	for _, p := range proxies {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}
