package redistest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Cert is a self-signed certificate that names "localhost" and nothing
// else (no IP address), written out for redis-server's --tls-* options.
type Cert struct {
	TLS      tls.Certificate
	Roots    *x509.CertPool // trusts the certificate
	CertFile string         // PEM, also usable as the CA file
	KeyFile  string
}

// LocalhostCert makes a Cert in a temporary directory of t.
func LocalhostCert(t testing.TB) Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IsCA:        true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := Cert{TLS: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, Roots: x509.NewCertPool()}
	c.Roots.AddCert(leaf)
	dir := t.TempDir()
	c.CertFile, c.KeyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, c.CertFile, "CERTIFICATE", der)
	writePEM(t, c.KeyFile, "PRIVATE KEY", keyDER)
	return c
}

// ServerArgs are redis-server options for a TLS port with this certificate
// and no client certificates.
func (c Cert) ServerArgs(tlsPort string) []string {
	return []string{"--tls-port", tlsPort, "--tls-cert-file", c.CertFile, "--tls-key-file", c.KeyFile,
		"--tls-ca-cert-file", c.CertFile, "--tls-auth-clients", "no"}
}

func writePEM(t testing.TB, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// StartTLS starts a redis-server as Start does that also serves TLS, with a
// LocalhostCert, on another free port: reach it as rediss://localhost:PORT.
// It returns the server, that port and the certificate.
func StartTLS(t testing.TB, extra ...string) (*Server, string, Cert) {
	t.Helper()
	cert := LocalhostCert(t)
	port, err := FreePort()
	if err != nil {
		t.Fatalf("find free port: %v", err)
	}
	tlsPort := strconv.Itoa(port)
	return Start(t, append(cert.ServerArgs(tlsPort), extra...)...), tlsPort, cert
}
