package orchestrate

import (
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"
)

// DefaultStopTimeout bounds Stop and rollback when Options.StopTimeout is
// zero.
const DefaultStopTimeout = 30 * time.Second

// Options tune an Orchestrator. The zero value is usable: system clock, no
// concurrency limit, no jitter, DefaultStopTimeout.
type Options struct {
	// Clock is the source of time; nil means SystemClock().
	Clock Clock
	// MaxConcurrent caps how many services are starting at once; zero
	// means no cap. A service holds its slot through its retries and the
	// backoff between them, so a struggling dependency sees no more load.
	MaxConcurrent int
	// Jitter delays each service's start by a random duration in
	// [0, Jitter) once its dependencies are up.
	Jitter time.Duration
	// Seed makes jitter and backoff repeatable: each service draws from its
	// own generator seeded with Seed and its name, so the draws do not
	// depend on scheduling. Zero means a random seed, so that replicas of
	// one process do not jitter in step; Report.Seed tells which was used.
	Seed uint64
	// Source, if set, replaces the seeded generator of each service.
	Source func(service string) rand.Source
	// StopTimeout bounds Stop and the rollback after a critical failure;
	// zero means DefaultStopTimeout.
	StopTimeout time.Duration
	// OnEvent, if set, is called on every state change, one call at a time.
	// It must not block; it may call Status.
	OnEvent func(Event)
}

// Orchestrator starts services in dependency order and stops them in
// reverse. It runs once: Run, then Stop. Status is safe to call at any time
// from any goroutine.
type Orchestrator struct {
	g     *graph
	opts  Options
	clock Clock

	mu      sync.Mutex // guards everything below and the nodes' fields
	nodes   []*node
	began   time.Time
	ran     bool
	running bool
	order   []*node // services in the order they came up

	emitMu sync.Mutex
}

// node is the orchestrator's mutable record of one service.
type node struct {
	idx   int
	svc   *Service
	rng   *rand.Rand
	blast []string // set when it fails or degrades

	state     State
	remaining int // dependencies not yet up
	readyAt   time.Duration
	beginAt   time.Duration
	endAt     time.Duration
	attempts  int
	err       error
	stopErr   error
}

// New validates services (see Validate) and returns an orchestrator for
// them. Nothing starts until Run.
func New(services []Service, opts Options) (*Orchestrator, error) {
	g, err := newGraph(services)
	if err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock()
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64() | 1
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	o := &Orchestrator{g: g, opts: opts, clock: opts.Clock}
	for i := range g.services {
		s := &g.services[i]
		o.nodes = append(o.nodes, &node{
			idx: i, svc: s, rng: rand.New(o.source(s.Name)),
			state: StatePending, remaining: len(g.deps[i]),
		})
	}
	return o, nil
}

func (o *Orchestrator) source(name string) rand.Source {
	if o.opts.Source != nil {
		return o.opts.Source(name)
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.NewPCG(o.opts.Seed, h.Sum64())
}

// Phases returns the service names grouped by level of the longest
// dependency chain, in declaration order within a phase. See FormatPhases.
func (o *Orchestrator) Phases() [][]string { return o.g.phases() }

// since returns the time elapsed since the run began.
func (o *Orchestrator) since() time.Duration { return o.clock.Now().Sub(o.began) }
