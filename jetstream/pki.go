package jetstream

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The national PKI: one CA (ca.crt, ca.key) that signs the hub nodes'
// certificates (NAME.crt/key: server and client, for routes, leaf and client
// listeners), the ports' (port-CODE.crt/key: client, for the leaf link) and
// LSS workstations' (lss-ID.crt/key). The hub maps a port's certificate to
// that port's user by its DNS name "port-CODE".

// CA file names in a PKI directory.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// Certificate kinds IssueCert makes.
const (
	CertNode = "node"
	CertPort = "port"
	CertLSS  = "lss"
)

var certName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`)

// InitCA creates the national CA in dir; it refuses to overwrite one.
func InitCA(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("jetstream: pki init: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); err == nil {
		return fmt.Errorf("jetstream: pki init: %s already exists", filepath.Join(dir, CAKeyFile))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("jetstream: pki init: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "national hub CA", Organization: []string{"national tier"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("jetstream: pki init: %w", err)
	}
	if err := writeKey(filepath.Join(dir, CAKeyFile), key); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, CACertFile), "CERTIFICATE", der, 0o644)
}

// CertFiles returns the certificate and key paths of kind/name in dir.
func CertFiles(dir, kind, name string) (cert, key string) {
	base := name
	switch kind {
	case CertPort:
		base = "port-" + name
	case CertLSS:
		base = "lss-" + name
	}
	return filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
}

// IssueCert signs a certificate of kind (CertNode, CertPort, CertLSS) for
// name with the CA in dir. A node's certificate also names hosts (DNS names
// or IP addresses it is reached at) besides localhost and 127.0.0.1. It
// returns the certificate's path.
func IssueCert(dir, kind, name string, hosts []string) (string, error) {
	switch kind {
	case CertPort:
		if err := checkPort(name); err != nil {
			return "", err
		}
	case CertNode, CertLSS:
		if !certName.MatchString(name) {
			return "", fmt.Errorf("jetstream: pki issue: name %q: letters, digits, - and _ only", name)
		}
	default:
		return "", fmt.Errorf("jetstream: pki issue: unknown kind %q", kind)
	}
	caCert, caKey, err := loadCA(dir)
	if err != nil {
		return "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("jetstream: pki issue: %w", err)
	}
	certPath, keyPath := CertFiles(dir, kind, name)
	cn := filepath.Base(strings.TrimSuffix(certPath, ".crt"))
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{kind}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{cn},
	}
	if kind == CertNode {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		tmpl.DNSNames = append(tmpl.DNSNames, "localhost")
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else if h != "" {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return "", fmt.Errorf("jetstream: pki issue: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return "", err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return "", err
	}
	return certPath, nil
}

// IssuedPorts lists the port codes with a certificate in dir (port-CODE.crt):
// the ports the hub sources and accepts leaf links from.
func IssuedPorts(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "port-*.crt"))
	if err != nil {
		return nil, fmt.Errorf("jetstream: ports in %s: %w", dir, err)
	}
	var out []string
	for _, m := range matches {
		code := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "port-"), ".crt")
		if ValidPortCode(code) {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out, nil
}

// TLSConfig is a mutual-TLS configuration from the CA in dir and the
// certificate of kind/name: it presents that certificate and trusts, and
// requires from peers, only certificates of the national CA.
func TLSConfig(dir, kind, name string) (*tls.Config, error) {
	certPath, keyPath := CertFiles(dir, kind, name)
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("jetstream: certificate %s: %w", certPath, err)
	}
	pem, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("jetstream: CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("jetstream: CA %s: no certificate", filepath.Join(dir, CACertFile))
	}
	return &tls.Config{
		Certificates: []tls.Certificate{pair},
		RootCAs:      pool,
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: CA (run `hub pki init`): %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: CA key: %w", err)
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("jetstream: CA files are not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: CA certificate: %w", err)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: CA key: %w", err)
	}
	return cert, key, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("jetstream: key %s: %w", path, err)
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("jetstream: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("jetstream: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("jetstream: write %s: %w", path, err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(fmt.Sprintf("jetstream: random serial: %v", err))
	}
	return n
}
