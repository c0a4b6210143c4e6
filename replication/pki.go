package replication

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
	"strings"
	"time"
)

// Roles a certificate can carry (in its OU).
const (
	RolePrimary    = "primary"
	RoleSecondary  = "secondary"
	RoleSupervisor = "supervisor"
	// RoleServer is the port server's own certificate.
	RoleServer = "server"
)

// Validity of what the PKI issues.
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 2 * 365 * 24 * time.Hour
)

// File names inside a PKI directory.
const (
	CACertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	ServerCertFile = "server.crt"
	ServerKeyFile  = "server.key"
)

// ErrExists is returned when a PKI file would be overwritten.
var ErrExists = errors.New("file already exists")

// workstationID is what a workstation id may look like: it names files and
// is the origin of every event the workstation writes.
var workstationID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// ValidWorkstationID reports whether id can be a workstation id.
func ValidWorkstationID(id string) bool { return workstationID.MatchString(id) }

// PortOriginPrefix starts the port server's own origin ("port-2604"). No
// workstation certificate may carry such a CN: its events would pass for the
// port's own.
const PortOriginPrefix = "port-"

// portOriginID reports whether id is shaped like a port server's origin.
func portOriginID(id string) bool { return strings.HasPrefix(strings.ToLower(id), PortOriginPrefix) }

// InitCA creates the port CA (ECDSA P-256) in dir: ca.crt and ca.key (mode
// 0600). It refuses to overwrite an existing CA.
func InitCA(dir, portName string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki init: %w", err)
	}
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, caKeyFile)
	for _, p := range []string{certPath, keyPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("pki init: %s: %w", p, ErrExists)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("pki init: generate CA key: %w", err)
	}
	if portName == "" {
		portName = "port"
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: portName + " booth CA", Organization: []string{"Port of entry"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("pki init: sign CA: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return fmt.Errorf("pki init: %w", err)
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return fmt.Errorf("pki init: %w", err)
	}
	return nil
}

// IssueRequest describes a certificate to issue.
type IssueRequest struct {
	Role        string   // primary, secondary, supervisor or server
	Workstation string   // required for workstation roles; the CN
	Hosts       []string // server only: extra DNS names or IPs besides localhost and 127.0.0.1
	// Overwrite replaces existing files (re-issuing after a compromise).
	Overwrite bool
}

// Issue signs a certificate with the CA in dir and writes it with its key:
// server.crt/server.key for the server, ID.crt/ID.key for a workstation. It
// returns the paths written.
func Issue(dir string, req IssueRequest) (certPath, keyPath string, err error) {
	caCert, caKey, err := loadCA(dir)
	if err != nil {
		return "", "", fmt.Errorf("pki issue: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	switch req.Role {
	case RolePrimary, RoleSecondary, RoleSupervisor:
		if !ValidWorkstationID(req.Workstation) {
			return "", "", fmt.Errorf("pki issue: workstation id %q: want 1-63 letters, digits, '.', '_' or '-'", req.Workstation)
		}
		if portOriginID(req.Workstation) {
			return "", "", fmt.Errorf("pki issue: workstation id %q: ids starting with %q are the port server's own origin", req.Workstation, PortOriginPrefix)
		}
		tmpl.Subject = pkix.Name{CommonName: req.Workstation, OrganizationalUnit: []string{req.Role}}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		certPath, keyPath = filepath.Join(dir, req.Workstation+".crt"), filepath.Join(dir, req.Workstation+".key")
	case RoleServer:
		tmpl.Subject = pkix.Name{CommonName: "portserver", OrganizationalUnit: []string{RoleServer}}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		for _, h := range req.Hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else if h != "" {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		certPath, keyPath = filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile)
	default:
		return "", "", fmt.Errorf("pki issue: role %q: want primary, secondary, supervisor or server", req.Role)
	}
	if !req.Overwrite {
		for _, p := range []string{certPath, keyPath} {
			if _, err := os.Stat(p); err == nil {
				return "", "", fmt.Errorf("pki issue: %s: %w", p, ErrExists)
			}
		}
	} else if req.Role != RoleServer {
		// Re-issuing replaces a certificate that may be compromised: its
		// serial goes on the deny-list first, so no crash leaves the old
		// certificate both replaced and still accepted.
		switch old, err := readCert(certPath); {
		case err == nil:
			if err := appendRevoked(dir, old, "re-issued (pki issue --force)"); err != nil {
				return "", "", fmt.Errorf("pki issue: revoke the replaced certificate: %w", err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return "", "", fmt.Errorf("pki issue: the certificate to replace: %w (revoke it by serial before re-issuing)", err)
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("pki issue: generate key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return "", "", fmt.Errorf("pki issue: sign: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return "", "", fmt.Errorf("pki issue: %w", err)
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return "", "", fmt.Errorf("pki issue: %w", err)
	}
	return certPath, keyPath, nil
}

// Identity reads a workstation's id and role from its verified client
// certificate.
func Identity(cert *x509.Certificate) (workstation, role string, err error) {
	if cert == nil {
		return "", "", errors.New("no client certificate")
	}
	workstation = cert.Subject.CommonName
	if !ValidWorkstationID(workstation) || portOriginID(workstation) {
		return "", "", fmt.Errorf("certificate CN %q is not a workstation id", workstation)
	}
	if len(cert.Subject.OrganizationalUnit) != 1 {
		return "", "", fmt.Errorf("certificate of %s carries %d roles (OU), want one", workstation, len(cert.Subject.OrganizationalUnit))
	}
	switch role = cert.Subject.OrganizationalUnit[0]; role {
	case RolePrimary, RoleSecondary, RoleSupervisor:
		return workstation, role, nil
	}
	return "", "", fmt.Errorf("certificate of %s has role %q, want primary, secondary or supervisor", workstation, role)
}

// ServerTLSConfig is the server's TLS configuration: its certificate, and
// client certificates required and verified against the CA.
func ServerTLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	pool, err := loadPool(caFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load server certificate %s: %w", certFile, err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}, nil
}

// ClientTLSConfig is a workstation's TLS configuration: its certificate, and
// the server verified against the CA.
func ClientTLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	pool, err := loadPool(caFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load workstation certificate %s: %w", certFile, err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
	}, nil
}

func loadPool(caFile string) (*x509.CertPool, error) {
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("CA certificate %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, nil, fmt.Errorf("read CA (run `portserver pki init` first): %w", err)
	}
	cert, err := parseCertPEM(certPEM, filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("read CA key: %w", err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, nil, fmt.Errorf("%s: no PEM key", filepath.Join(dir, caKeyFile))
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA key: %w", err)
	}
	return cert, key, nil
}

// parseCertPEM parses the first PEM certificate of data (read from path).
func parseCertPEM(data []byte, path string) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %s: %w", path, err)
	}
	return cert, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

// writePEM writes the file atomically (temp file and rename), so a crash
// never leaves half a key.
func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// writeFileAtomic writes data to a temporary file in path's directory,
// syncs it and renames it over path.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pki-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("replication: random serial: %v", err))
	}
	return n
}
