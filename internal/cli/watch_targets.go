package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"

	"github.com/rescli/rescli/internal/redact"
	"github.com/rescli/rescli/pkg/target"
)

// watchTargetName names the one Redis target of a watch given a single
// URL (--redis-url, REDIS_URL, or the embedded server): "redis", as
// scripts reading the lines and events have always seen it.
const watchTargetName = "redis"

// Bounds on one watch: each Redis target is a manager, a probe and a
// connection per node; each service a poll per refresh.
const (
	watchMaxRedis    = 50
	watchMaxServices = 200
)

// watchPlan is every target one watch shows.
type watchPlan struct {
	redis    []watchRedisSpec
	services []watchServiceSpec
}

type watchRedisSpec struct {
	name, url string
}

type watchServiceSpec struct {
	name, url, token string
}

// plan lists the targets: every --redis-url, --service and --context
// (each context's target and services). With none of them: REDIS_URL, or
// the context of RESCLI_CONTEXT or the file's current-context, or an
// embedded Redis ("" URL).
func (o *watchOptions) plan() (watchPlan, error) {
	var p watchPlan
	token := func(ctxToken string) string {
		switch {
		case o.token != "":
			return o.token
		case ctxToken != "":
			return ctxToken
		}
		return o.g.Getenv(envAdminToken) // from the env here, never as a flag default that --help would print
	}
	for _, u := range o.urls {
		p.redis = append(p.redis, watchRedisSpec{url: u})
	}
	for _, s := range o.services {
		p.services = append(p.services, watchServiceSpec{url: s, token: token("")})
	}
	for _, name := range o.contexts {
		if err := o.addContext(&p, name, token); err != nil {
			return p, err
		}
	}
	if len(o.urls)+len(o.services)+len(o.contexts) == 0 {
		name := ""
		if c := o.g.context; c != nil && o.g.RedisURL != "" && o.g.RedisURL == o.g.Getenv(envRedisURL) && c.gaveURL() {
			name = c.name // the context gave the URL: the target is called after it
		}
		if o.g.RedisURL != "" || len(o.g.ContextServices()) == 0 {
			p.redis = append(p.redis, watchRedisSpec{name: name, url: o.g.RedisURL})
		}
		for _, s := range o.g.ContextServices() {
			p.services = append(p.services, watchServiceSpec{name: o.g.context.name + "/", url: s, token: token("")})
		}
	}
	if len(p.redis) > watchMaxRedis || len(p.services) > watchMaxServices {
		return p, Usagef("watch takes at most %d Redis targets and %d services", watchMaxRedis, watchMaxServices)
	}
	return p, p.name()
}

// addContext adds a context's target and services, its services with the
// context's own token.
func (o *watchOptions) addContext(p *watchPlan, name string, token func(string) string) error {
	f := o.g.config
	if f == nil {
		var err error
		switch f, err = o.g.configFile(); {
		case errors.Is(err, fs.ErrNotExist):
			return noConfigFile(name, err)
		case err != nil:
			return Usagef("%v", err)
		}
	}
	ac, err := newActiveContext(f, name, o.g.Getenv)
	if err != nil {
		return err
	}
	u, err := ac.value(envRedisURL)
	if err != nil {
		return err
	}
	tok, err := ac.value(envAdminToken)
	if err != nil {
		return err
	}
	if u != "" {
		p.redis = append(p.redis, watchRedisSpec{name: name, url: u})
	}
	for _, s := range ac.services {
		p.services = append(p.services, watchServiceSpec{name: name + "/", url: s, token: token(tok)})
	}
	return nil
}

// name gives every target a short unique name: a context's name, else
// "redis" for a lone Redis target, else the target's address; a service
// is its host (after its context's name).
func (p *watchPlan) name() error {
	seen := map[string]int{}
	unique := func(n string) string {
		seen[n]++
		if seen[n] > 1 {
			return fmt.Sprintf("%s#%d", n, seen[n])
		}
		return n
	}
	for i := range p.redis {
		r := &p.redis[i]
		switch {
		case r.name != "":
		case r.url == "" || len(p.redis) == 1:
			r.name = watchTargetName
		default:
			t, err := target.Parse(r.url)
			if err != nil {
				return Usagef("%s", err)
			}
			r.name = watchShortName(t)
		}
		r.name = unique(r.name)
	}
	for i := range p.services {
		s := &p.services[i]
		u, err := url.Parse(s.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Usagef("invalid --service %s: want http://host:port", redact.URL(s.url))
		}
		s.name = unique(s.name + u.Host)
	}
	return nil
}

// watchShortName is a target's name on screen: its address, a Sentinel
// target's master name, a Cluster's first seed.
func watchShortName(t target.Target) string {
	switch t.Resolved() {
	case target.Sentinel:
		return t.MasterName + "@" + t.Addrs[0]
	case target.Cluster:
		return "cluster@" + t.Addrs[0]
	}
	return t.Addrs[0]
}
