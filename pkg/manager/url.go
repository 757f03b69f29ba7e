package manager

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/rescli/rescli/internal/redact"
)

// Kind is the shape of a Redis deployment.
type Kind int

// Deployment kinds.
const (
	Standalone Kind = iota // one server (or a proxy in front of many)
	Sentinel               // a master found through Sentinels
	Cluster                // Redis Cluster, reached through seed nodes
)

func (k Kind) String() string {
	switch k {
	case Sentinel:
		return "sentinel"
	case Cluster:
		return "cluster"
	}
	return "standalone"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Target is where a URL points: the deployment's kind, its addresses and
// the credentials for each part.
type Target struct {
	Kind Kind
	// Addrs are the server (Standalone), the Sentinels (Sentinel) or the
	// seed nodes (Cluster).
	Addrs      []string
	MasterName string
	// Username and Password authenticate to the data nodes.
	Username string
	Password string
	// SentinelUsername and SentinelPassword authenticate to the Sentinels.
	SentinelUsername string
	SentinelPassword string
	DB               int
	TLS              *tls.Config
}

// ErrBadURL is wrapped by every ParseTarget error.
var ErrBadURL = errors.New("parse redis url")

// ParseTarget reads every URL form rescli accepts:
//
//	redis://[[user]:password@]host[:6379][/db]      one server (rediss:// for TLS)
//	redis+sentinel://[[user]:password@]s1[:26379],s2,.../mastername[/db][?username=u&password=p]
//	    the userinfo authenticates to the Sentinels; ?username= and
//	    ?password= (or ?db=) apply to the master and replicas
//	redis+cluster://[[user]:password@]n1[:6379],n2,...  cluster seed nodes
//
// rediss+cluster:// uses TLS to the nodes; rediss+sentinel:// uses it to the
// Sentinels and the data nodes alike (go-redis has one TLS config for both).
// Their TLS config names no ServerName: each node is verified against the
// host it is dialled at, a seed as written in the URL, a node as the
// Cluster or the Sentinels announce it.
// Standalone URLs go through go-redis's ParseURL, so its query options work.
func ParseTarget(raw string) (Target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Target{}, fmt.Errorf("%w %s: want redis://, rediss://, redis+sentinel:// or redis+cluster://", ErrBadURL, redact.URL(raw))
	}
	switch strings.ToLower(scheme) {
	case "redis", "rediss", "unix":
		o, err := redis.ParseURL(raw)
		if err != nil {
			return Target{}, fmt.Errorf("%w %s: %w", ErrBadURL, redact.URL(raw), err)
		}
		return Target{Kind: Standalone, Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password, DB: o.DB, TLS: o.TLSConfig}, nil
	case "redis+sentinel", "rediss+sentinel":
		t, err := parseMulti(rest, Sentinel, "26379")
		if err != nil {
			return Target{}, fmt.Errorf("%w %s: %w", ErrBadURL, redact.URL(raw), err)
		}
		t.TLS = tlsFor(scheme)
		return t, nil
	case "redis+cluster", "rediss+cluster":
		t, err := parseMulti(rest, Cluster, "6379")
		if err != nil {
			return Target{}, fmt.Errorf("%w %s: %w", ErrBadURL, redact.URL(raw), err)
		}
		t.TLS = tlsFor(scheme)
		return t, nil
	}
	return Target{}, fmt.Errorf("%w %s: unknown scheme %q", ErrBadURL, redact.URL(raw), scheme)
}

// tlsFor is the TLS config of a multi-host scheme: one config serves every
// node, so it names no server (crypto/tls and the manager's dialer take the
// name from each dialled address).
func tlsFor(scheme string) *tls.Config {
	if !strings.HasPrefix(strings.ToLower(scheme), "rediss") {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

// parseMulti parses [userinfo@]h1,h2[/path][?query] after the scheme.
func parseMulti(rest string, kind Kind, defPort string) (Target, error) {
	t := Target{Kind: kind}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	hosts, path, _ := strings.Cut(rest, "/")
	user, pass, err := userinfo(&hosts)
	if err != nil {
		return t, err
	}
	if kind == Sentinel {
		t.SentinelUsername, t.SentinelPassword = user, pass
	} else {
		t.Username, t.Password = user, pass
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), defPort)
		}
		t.Addrs = append(t.Addrs, h)
	}
	if len(t.Addrs) == 0 {
		return t, errors.New("no host")
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case kind == Sentinel && (len(segs) > 2 || segs[0] == ""):
		return t, errors.New("want /mastername[/db] after the sentinel addresses")
	case kind == Cluster && segs[0] != "":
		return t, errors.New("a cluster URL has no path: a cluster has only db 0")
	}
	if kind == Sentinel {
		t.MasterName = segs[0]
		if len(segs) == 2 {
			if t.DB, err = strconv.Atoi(segs[1]); err != nil {
				return t, fmt.Errorf("db %q is not a number", segs[1])
			}
		}
	}
	return t, t.query(rawQuery)
}

// userinfo cuts user:password@ off *hosts and unescapes it.
func userinfo(hosts *string) (string, string, error) {
	i := strings.LastIndex(*hosts, "@")
	if i < 0 {
		return "", "", nil
	}
	info := (*hosts)[:i]
	*hosts = (*hosts)[i+1:]
	u, p, hasPass := strings.Cut(info, ":")
	user, err := url.PathUnescape(u)
	if err != nil {
		return "", "", errors.New("bad escape in the user name")
	}
	pass, err := url.PathUnescape(p)
	if err != nil {
		return "", "", errors.New("bad escape in the password")
	}
	if !hasPass { // redis://secret@host: a lone user is the password, as go-redis reads it
		return "", user, nil
	}
	return user, pass, nil
}

func (t *Target) query(raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	for k, v := range q {
		val := v[len(v)-1]
		switch strings.ToLower(k) {
		case "password":
			t.Password = val
		case "username":
			t.Username = val
		case "sentinel_password":
			t.SentinelPassword = val
		case "sentinel_username":
			t.SentinelUsername = val
		case "db":
			if t.Kind == Cluster {
				return errors.New("a cluster has only db 0")
			}
			if t.DB, err = strconv.Atoi(val); err != nil {
				return fmt.Errorf("db %q is not a number", val)
			}
		default:
			return fmt.Errorf("unknown query option %q (want username, password, sentinel_username, sentinel_password or db)", k)
		}
	}
	return nil
}

// DataOptions returns go-redis options for one data node at addr with the
// target's credentials, DB and TLS: for tools that talk to a single node.
func (t Target) DataOptions(addr string) *redis.Options {
	o := &redis.Options{Addr: addr, Username: t.Username, Password: t.Password, DB: t.DB}
	if t.TLS != nil {
		o.TLSConfig = t.TLS.Clone()
		if host, _, err := net.SplitHostPort(addr); err == nil {
			o.TLSConfig.ServerName = host
		}
	}
	return o
}

// SentinelOptions returns go-redis options for one Sentinel at addr.
func (t Target) SentinelOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, Username: t.SentinelUsername, Password: t.SentinelPassword}
}
