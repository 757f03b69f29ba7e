package scenario

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/pkg/chaos"
	"github.com/rescli/rescli/pkg/chaos/inject"
	"github.com/rescli/rescli/pkg/herd"
	"github.com/rescli/rescli/pkg/target"
)

// step runs one method step to its end; each undoes its own fault.
func (r *runner) step(ctx context.Context, i int, st Step) {
	switch {
	case st.Proxy != nil:
		r.proxyStep(ctx, i, st)
	case st.Server != nil:
		r.serverStep(ctx, st)
	case st.Herd != nil:
		r.herdStep(ctx, st)
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
	if _, err := r.proxy.AddToxic(chaos.Toxic{Name: name, Type: st.Proxy.Type, Stream: stream, Toxicity: tox,
		Attributes: chaos.Attributes(st.Proxy.Attributes)}); err != nil {
		r.rep.add("fault", ptr(false), "proxy %s: %v", st.Proxy.Type, err)
		return
	}
	r.rep.add("fault", ptr(true), "proxy %s on for %s %v", st.Proxy.Type, st.Duration.Duration, st.Proxy.Attributes)
	sleepCtx(ctx, st.Duration.Duration)
	if err := r.proxy.RemoveToxic(name); err != nil {
		r.rep.add("fault", ptr(false), "proxy %s off: %v", st.Proxy.Type, err)
		return
	}
	r.rep.add("fault", ptr(true), "proxy %s off", st.Proxy.Type)
}

func (r *runner) serverStep(ctx context.Context, st Step) {
	tgt, err := target.Parse(r.target)
	var plans []inject.NodePlan
	if err == nil {
		plans, _, err = inject.PlanAll(ctx, tgt, inject.Spec{Fault: st.Server.Fault, Args: st.Server.Args, Duration: st.Duration.Duration}, inject.Select{}, r.s.Allow, r.o.Journal)
	}
	if err != nil {
		r.rep.add("fault", ptr(false), "server %s refused: %v", st.Server.Fault, err)
		return
	}
	for _, np := range plans {
		r.rep.add("fault", ptr(true), "server %s: %s", np.Target.Node.Addr, np.Plan.Description)
	}
	if err := inject.InjectAll(ctx, plans, r.o.Journal, io.Discard); err != nil {
		r.rep.add("fault", ptr(false), "server %s: %v", st.Server.Fault, err)
		return
	}
	r.rep.add("fault", ptr(true), "server %s reverted", st.Server.Fault)
}

func (r *runner) herdStep(ctx context.Context, st Step) {
	rep, err := herd.Run(ctx, herd.Config{Services: st.Herd.Services, Strategies: []string{st.Herd.Strategy},
		RedisURL: r.viaProxy, StartupTimeout: 10 * time.Second, Steady: 100 * time.Millisecond, AllowUnreachable: true})
	if err != nil {
		r.rep.add("herd", ptr(false), "herd: %v", err)
		r.herdFailed.Add(int64(st.Herd.Services))
		return
	}
	res := rep.Strategies[0]
	r.herdFailed.Add(int64(res.Failed))
	r.rep.add("herd", ptr(res.Failed == 0), "%s herd of %d: %d ready, %d degraded, %d failed; %d connections refused with maxclients; start-up max %dms",
		res.Name, st.Herd.Services, res.Ready, res.Degraded, res.Failed, max(res.RejectedConnections, res.RejectionsSeenByClients), res.StartupMS.Max)
}

// rollback always runs, once: every proxy fault is removed, then the
// file's own rollbacks (revert-server replays this target's journal).
func (r *runner) rollback() {
	r.rolledBack.Do(func() {
		r.proxy.ResetToxics()
		r.rep.add("rollback", ptr(true), "proxy faults removed")
		for _, rb := range r.s.Rollbacks {
			if rb.Action != "revert-server" {
				continue
			}
			tgt, err := target.Parse(r.target)
			if err != nil {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			n, err := inject.RevertAll(ctx, r.o.Journal, func(e inject.Entry) (*redis.Client, error) {
				if e.Target != tgt.String() {
					return nil, nil // another target's fault: not this scenario's to undo
				}
				return redis.NewClient(e.Options(&tgt)), nil
			}, io.Discard)
			cancel()
			if err != nil {
				r.rep.add("rollback", ptr(false), "server journal: %d fault(s) reverted, and: %v", n, err)
			} else {
				r.rep.add("rollback", ptr(true), "server journal: %d fault(s) left to revert, reverted", n)
			}
		}
	})
}
