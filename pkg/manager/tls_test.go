package manager

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rescli/rescli/internal/redistest"
	"github.com/rescli/rescli/pkg/target"
)

// localhostCert is a certificate for "localhost" only and a pool that
// trusts it.
func localhostCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	c := redistest.LocalhostCert(t)
	return c.TLS, c.Roots
}

// serveTLS accepts TLS connections on 127.0.0.1 with cert and completes
// their handshakes; it returns the port.
func serveTLS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
				_ = c.Close()
			})
		}
	})
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// One TLS config serves every node of a rediss+cluster:// URL: each node
// is verified against the host it is dialled at, not the first seed's.
func TestTLSDialVerifiesEachNodeByTheHostItDials(t *testing.T) {
	cert, roots := localhostCert(t)
	port := serveTLS(t, cert)
	tgt, err := target.Parse("rediss+cluster://127.0.0.1:" + port + ",localhost:" + port)
	if err != nil {
		t.Fatal(err)
	}
	cfg := tgt.TLS.Clone()
	cfg.RootCAs = roots
	base := (&net.Dialer{Timeout: 2 * time.Second}).DialContext
	dial := func(cfg *tls.Config, addr string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := WithTLS(base, cfg)(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err
	}

	// The second node, by its name: its certificate names it.
	if err := dial(cfg, tgt.Addrs[1]); err != nil {
		t.Errorf("dial %s: %v, want its certificate for localhost accepted", tgt.Addrs[1], err)
	}
	// The same server by IP: the certificate does not name 127.0.0.1, so
	// the name is really checked.
	var wrongHost x509.HostnameError
	if err := dial(cfg, tgt.Addrs[0]); !errors.As(err, &wrongHost) {
		t.Errorf("dial %s: %v, want a certificate name mismatch", tgt.Addrs[0], err)
	}
	// A ServerName given in the config is kept whatever the address.
	named := cfg.Clone()
	named.ServerName = "localhost"
	if err := dial(named, tgt.Addrs[0]); err != nil {
		t.Errorf("dial %s with ServerName localhost: %v", tgt.Addrs[0], err)
	}
	if cfg.ServerName != "" {
		t.Errorf("the shared config was changed: ServerName %q", cfg.ServerName)
	}
}

// A manager for a rediss+cluster:// URL reaches a TLS cluster node whose
// certificate names only its own host, "localhost", while the URL's first
// seed is another host (a node that is down): before, every node was
// verified against the first seed's name, and nothing spoke TLS at all.
func TestClusterOverTLSVerifiesEachNodeByItsOwnName(t *testing.T) {
	dir := t.TempDir()
	busPort, downPort := freePort(t), freePort(t)
	srv, tlsPort, cert := redistest.StartTLS(t, "--tls-cluster", "yes",
		"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--cluster-port", busPort,
		// CLUSTER SLOTS names the node "localhost", as its certificate does.
		"--cluster-announce-hostname", "localhost", "--cluster-preferred-endpoint-type", "hostname")
	admin := srv.Client()
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := admin.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("assign slots: %v", err)
	}
	var err error
	for info := ""; !containsLine(info, "cluster_state:ok"); time.Sleep(20 * time.Millisecond) {
		if info, err = admin.ClusterInfo(ctx).Result(); ctx.Err() != nil {
			t.Fatalf("cluster never became ok: %v", err)
		}
	}

	tgt, err := target.Parse("rediss+cluster://127.0.0.1:" + downPort + ",localhost:" + tlsPort)
	if err != nil {
		t.Fatal(err)
	}
	tgt.TLS.RootCAs = cert.Roots // what the URL cannot say: the test's own CA
	o := fast("")
	o.Target, o.DisableMonitor = tgt, true
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = time.Second, time.Second, time.Second
	m := newManager(t, o)
	if err := m.Client().Set(ctx, "tls-key", "v", 0).Err(); err != nil {
		t.Fatalf("SET through the cluster over TLS: %v", err)
	}
	if v, err := m.Client().Get(ctx, "tls-key").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	p, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(p)
}

func containsLine(s, line string) bool {
	for l := range strings.Lines(s) {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

// A TLS config given beside a rediss:// URL is the one used: a URL cannot
// name a CA, and the URL's own config (system roots) once replaced it.
func TestOwnTLSConfigBesideARedissURL(t *testing.T) {
	_, port, cert := redistest.StartTLS(t)
	o := fast("")
	o.URL, o.TLS, o.DisableMonitor = "rediss://localhost:"+port, &tls.Config{RootCAs: cert.Roots}, true
	m := newManager(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("PING over TLS with the caller's CA: %v", err)
	}
}
