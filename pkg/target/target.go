package target

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

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "standalone", "":
		*k = Standalone
	case "sentinel":
		*k = Sentinel
	case "cluster":
		*k = Cluster
	default:
		return fmt.Errorf("unknown kind %q (want standalone, sentinel or cluster)", b)
	}
	return nil
}

// Target is where a URL points: the deployment's kind, its addresses and
// the credentials for each part. Its zero Kind with MasterName set or with
// several Addrs is read as Sentinel or Cluster (see Resolved).
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
	// TLS makes every connection speak TLS. With no ServerName each node is
	// verified against the host it is dialled at.
	TLS *tls.Config

	// url is the URL the target was parsed from ("" when built in code).
	url string
	// base keeps go-redis's own query options of a one-server URL
	// (dial_timeout, protocol, client_name, ...) for DataOptions.
	base *redis.Options
}

// ErrBadURL is wrapped by every Parse error.
var ErrBadURL = errors.New("parse redis url")

// Parse reads every URL form rescli accepts:
//
//	redis://[[user]:password@]host[:6379][/db]      one server (rediss:// for TLS)
//	redis+sentinel://[[user]:password@]s1[:26379],s2,.../mastername[/db][?username=u&password=p]
//	    the userinfo authenticates to the Sentinels; ?username= and
//	    ?password= (or ?db=) apply to the master and replicas
//	redis+cluster://[[user]:password@]n1[:6379],n2,...  cluster seed nodes
//
// rediss+cluster:// uses TLS to the nodes; rediss+sentinel:// uses it to the
// Sentinels and the data nodes alike. Their TLS config names no ServerName:
// each node is verified against the host it is dialled at, a seed as
// written in the URL, a node as the Cluster or the Sentinels announce it.
// One-server URLs go through go-redis's ParseURL, so its query options
// work. No error carries the password.
func Parse(raw string) (Target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Target{}, fmt.Errorf("%w %s: want redis://, rediss://, redis+sentinel:// or redis+cluster://", ErrBadURL, redact.URL(raw))
	}
	var t Target
	var err error
	switch strings.ToLower(scheme) {
	case "redis", "rediss", "unix":
		var o *redis.Options
		if o, err = redis.ParseURL(raw); err == nil {
			t = Target{Kind: Standalone, Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password, DB: o.DB, TLS: o.TLSConfig, base: o}
		}
	case "redis+sentinel", "rediss+sentinel":
		t, err = parseMulti(rest, Sentinel, "26379")
		t.TLS = tlsFor(scheme)
	case "redis+cluster", "rediss+cluster":
		t, err = parseMulti(rest, Cluster, "6379")
		t.TLS = tlsFor(scheme)
	default:
		err = fmt.Errorf("unknown scheme %q", scheme)
	}
	if err != nil {
		return Target{}, fmt.Errorf("%w %s: %s", ErrBadURL, redact.URL(raw), redact.String(err.Error()))
	}
	t.url = raw
	return t, nil
}

// MustParse is Parse for URLs written in code; it panics on an error.
func MustParse(raw string) Target {
	t, err := Parse(raw)
	if err != nil {
		panic(err)
	}
	return t
}

// URL returns the URL the target was parsed from, with its password.
func (t Target) URL() string { return t.url }

// String describes the target for people, credentials redacted.
func (t Target) String() string {
	if t.url != "" {
		return redact.URL(t.url)
	}
	switch t.Resolved() {
	case Sentinel:
		return fmt.Sprintf("sentinel %s %v", t.MasterName, t.Addrs)
	case Cluster:
		return fmt.Sprintf("cluster %v", t.Addrs)
	}
	if len(t.Addrs) == 0 {
		return "(no address)"
	}
	return t.Addrs[0]
}

// Resolved is the kind the target means: Kind, or for a Target built in
// code with the zero Kind, Sentinel when MasterName is set and Cluster with
// several addresses.
func (t Target) Resolved() Kind {
	switch {
	case t.Kind != Standalone:
		return t.Kind
	case t.MasterName != "":
		return Sentinel
	case len(t.Addrs) > 1:
		return Cluster
	}
	return Standalone
}

// tlsFor is the TLS config of a multi-host scheme: one config serves every
// node, so it names no server (crypto/tls and the dialers take the name
// from each dialled address).
func tlsFor(scheme string) *tls.Config {
	if !strings.HasPrefix(strings.ToLower(scheme), "rediss") {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

// DataOptions returns go-redis options for one data node at addr with the
// target's credentials, DB and TLS (verified against addr's host), and a
// one-server URL's own query options.
func (t Target) DataOptions(addr string) *redis.Options {
	o := &redis.Options{}
	if t.base != nil {
		*o = *t.base
	}
	o.Addr, o.Username, o.Password, o.DB = addr, t.Username, t.Password, t.DB
	o.TLSConfig = nodeTLS(t.TLS, addr)
	return o
}

// SentinelOptions returns go-redis options for one Sentinel at addr.
func (t Target) SentinelOptions(addr string) *redis.Options {
	return &redis.Options{Addr: addr, Username: t.SentinelUsername, Password: t.SentinelPassword, TLSConfig: nodeTLS(t.TLS, addr)}
}

// nodeTLS is cfg for a connection to addr: named after addr's host unless
// cfg names a server itself.
func nodeTLS(cfg *tls.Config, addr string) *tls.Config {
	if cfg == nil {
		return nil
	}
	c := cfg.Clone()
	if c.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			c.ServerName = host
		}
	}
	return c
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
		return errors.New("query does not parse")
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
