package rig

import (
	"time"

	"github.com/rescli/rescli/pkg/manager"
)

// Fast fills the zero timing fields of o so that its manager notices a
// fault in well under a second and recovers seconds after it ends: 300 ms
// timeouts, a probe every 100 ms, a breaker that waits 500 ms (at most 2 s)
// before probing, a pool of 4. Fields already set are kept.
func Fast(o *manager.Options) {
	set := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	set(&o.DialTimeout, 300*time.Millisecond)
	set(&o.ReadTimeout, 300*time.Millisecond)
	set(&o.WriteTimeout, 300*time.Millisecond)
	set(&o.ProbeInterval, 100*time.Millisecond)
	set(&o.ProbeTimeout, 300*time.Millisecond)
	set(&o.Breaker.OpenTimeout, 500*time.Millisecond)
	set(&o.Breaker.MaxOpenTimeout, 2*time.Second)
	if o.PoolSize == 0 {
		o.PoolSize = 4
	}
}

// Manager builds a manager for the rig's target whose every connection
// goes through the rig, with Fast timings where o leaves them zero. The
// caller closes it before the rig.
func (r *Rig) Manager(o manager.Options) (*manager.Manager, error) {
	own := o.TLS // a CA or client certificate the caller gave
	o.URL, o.Target, o.Dialer = "", r.tgt, r.Dial
	if own != nil {
		o.TLS = own
	}
	Fast(&o)
	return manager.New(o)
}
