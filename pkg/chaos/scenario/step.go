package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
)

// step runs one method step to its end; each undoes its own fault. One
// that is refused or fails stops the method (runner.fail).
func (r *runner) step(ctx context.Context, i int, st Step) {
	switch {
	case st.Proxy != nil:
		r.proxyStep(ctx, i, st)
	case st.Server != nil:
		r.serverStep(ctx, i, st)
	case st.Herd != nil:
		r.herdStep(ctx, i, st)
	}
}

func (r *runner) proxyStep(ctx context.Context, i int, st Step) {
	name := fmt.Sprintf("step%d-%s", i, st.Proxy.Type)
	tox := float32(1)
	if st.Proxy.Toxicity != nil {
		tox = *st.Proxy.Toxicity
	}
	stream := st.Proxy.Stream
	if stream == "" {
		stream = chaos.StreamDownstream
	}
	toxic := chaos.Toxic{Name: name, Type: st.Proxy.Type, Stream: stream, Toxicity: tox, Attributes: chaos.Attributes(st.Proxy.Attributes)}
	where, err := r.addProxyFault(st.Proxy, toxic)
	if err != nil {
		r.fail(i, st, StepFailed, err)
		return
	}
	r.rep.setStep(i, StepRunning, nil)
	r.rep.add("fault", ptr(true), "proxy %s on %s for %s %v", st.Proxy.Type, where, st.Duration.Duration, st.Proxy.Attributes)
	sleepCtx(ctx, st.Duration.Duration)
	if err := r.rig.RemoveToxic(name); err != nil {
		r.fail(i, st, StepFailed, fmt.Errorf("remove it: %w", err))
		return
	}
	r.rep.add("fault", ptr(true), "proxy %s off", st.Proxy.Type)
	r.ended(ctx, i)
}

// serverStep plans the fault again (the server may have changed since the
// run was planned), then applies it for its duration and reverts it.
func (r *runner) serverStep(ctx context.Context, i int, st Step) {
	plans, err := planServer(ctx, r.s, st, r.o.Journal)
	if ctx.Err() != nil {
		return // ended before anything was applied: the step did not run
	}
	if err != nil {
		r.fail(i, st, StepRefused, err)
		return
	}
	r.rep.setStep(i, StepRunning, nil)
	r.rep.add("fault", ptr(true), "server %s", describePlans(plans))
	if err := inject.InjectAll(ctx, plans, r.o.Journal, io.Discard); err != nil && !onlyCanceled(err) {
		r.fail(i, st, StepFailed, err)
		return
	}
	r.rep.add("fault", ptr(true), "server %s reverted", st.Server.Fault)
	r.ended(ctx, i)
}

func (r *runner) herdStep(ctx context.Context, i int, st Step) {
	r.rep.setStep(i, StepRunning, nil)
	rep, err := herd.Run(ctx, herd.Config{Services: st.Herd.Services, Strategies: []string{st.Herd.Strategy},
		RedisURL: r.s.Target, Upstream: r.rig.Addr, StartupTimeout: 10 * time.Second, Steady: 100 * time.Millisecond, AllowUnreachable: true})
	if err != nil {
		r.herdFailed.Add(int64(st.Herd.Services))
		if ctx.Err() != nil {
			r.ended(ctx, i)
			return
		}
		r.fail(i, st, StepFailed, err)
		return
	}
	res := rep.Strategies[0]
	r.herdFailed.Add(int64(res.Failed))
	r.rep.add("herd", ptr(res.Failed == 0), "%s herd of %d: %d ready, %d degraded, %d failed; %d connections refused with maxclients; start-up max %dms",
		res.Name, st.Herd.Services, res.Ready, res.Degraded, res.Failed, max(res.RejectedConnections, res.RejectionsSeenByClients), res.StartupMS.Max)
	r.ended(ctx, i)
}

// addProxyFault sets t on every node's proxy, or on the node the fault
// names (by address or by a key it owns), and says where.
func (r *runner) addProxyFault(f *ProxyFault, t chaos.Toxic) (string, error) {
	node := f.Node
	if f.Key != "" {
		owner, ok := r.rig.Topology().OwnerOf(f.Key)
		if !ok {
			return "", fmt.Errorf("no master serves key %q", f.Key)
		}
		node = owner.Addr
	}
	if node == "" {
		return "every node", r.rig.AddToxic(t)
	}
	if _, ok := r.rig.Topology().Node(node); !ok {
		return "", fmt.Errorf("%s is not a data node of %s (%s)", node, r.rig.Target(), strings.Join(r.rig.Topology().Addrs(), ", "))
	}
	return node, r.rig.AddToxicTo(node, t)
}

// rollback always runs, once: every proxy fault is removed, then the
// file's own rollbacks (revert-server replays this target's journal).
func (r *runner) rollback() {
	r.rolledBack.Do(func() {
		if err := r.rig.Clear(); err != nil {
			r.rep.RollbackError = fmt.Sprintf("proxy faults: %v", err)
			r.rep.add("rollback", ptr(false), "proxy faults: %v", err)
		} else {
			r.rep.add("rollback", ptr(true), "proxy faults removed")
		}
		for _, rb := range r.s.Rollbacks {
			if rb.Action != "revert-server" {
				continue
			}
			tgt := r.rig.Target()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			reverted, err := inject.RevertAll(ctx, r.o.Journal, func(e inject.Entry) (*redis.Client, error) {
				if e.Target != tgt.String() {
					return nil, nil // another target's fault: not this scenario's to undo
				}
				return redis.NewClient(e.Options(&tgt)), nil
			}, io.Discard)
			cancel()
			if err != nil {
				r.rep.RollbackError = fmt.Sprintf("server journal: %v (kept for rescli chaos revert)", err)
				r.rep.add("rollback", ptr(false), "server journal: %d fault(s) reverted, and: %v", len(reverted), err)
			} else {
				r.rep.add("rollback", ptr(true), "server journal: %d fault(s) left to revert, reverted", len(reverted))
			}
		}
	})
}

// onlyCanceled reports whether every error joined in err is the method's
// cancellation (an apply cut off by an abort or interrupt, then reverted),
// not a failure to apply or to revert.
func onlyCanceled(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyCanceled(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, context.Canceled)
}
