package replication

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RevokedFile is the deny-list of certificate serial numbers in a PKI
// directory: the port server refuses a client certificate whose serial is in
// it, however valid its signature.
//
// One serial per line, in hexadecimal (colons and case ignored), optionally
// followed by words that are kept for people (`portserver pki revoke` writes
// the workstation, the time and the reason); blank lines and lines starting
// with '#' are ignored. Lines are only ever added.
const RevokedFile = "revoked.txt"

// ErrRevoked is a client certificate on the deny-list.
var ErrRevoked = errors.New("certificate revoked")

// SerialText is how a serial is written in the deny-list and the logs:
// lower-case hexadecimal without leading zeros.
func SerialText(n *big.Int) string {
	if n == nil {
		return ""
	}
	return n.Text(16)
}

// parseSerial reads a serial as the deny-list writes it (colons allowed).
func parseSerial(s string) (*big.Int, bool) {
	s = strings.ReplaceAll(strings.ToLower(s), ":", "")
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() <= 0 {
		return nil, false
	}
	return n, true
}

// parseRevoked reads a deny-list; a line whose first word is no serial is
// an error naming it (a damaged list must not silently let a revoked
// certificate back in).
func parseRevoked(data []byte, path string) (map[string]bool, error) {
	out := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, _, _ := strings.Cut(line, " ")
		serial, ok := parseSerial(strings.TrimSpace(strings.SplitN(word, "\t", 2)[0]))
		if !ok {
			return nil, fmt.Errorf("%s line %d: %q is not a hexadecimal serial number", path, n, word)
		}
		out[SerialText(serial)] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// Revocations is the port server's deny-list, reloaded without a restart
// (Reload on SIGHUP, Watch for changes of the file). Safe for concurrent use.
type Revocations struct {
	path string
	log  *slog.Logger

	serials atomic.Pointer[map[string]bool]

	mu      sync.Mutex // serialises reloads
	modTime time.Time
	size    int64
	exists  bool
}

// LoadRevocations reads the deny-list at path; a missing file is an empty
// list (nothing revoked yet), an unreadable or damaged one an error.
func LoadRevocations(path string, log *slog.Logger) (*Revocations, error) {
	if log == nil {
		log = slog.Default()
	}
	r := &Revocations{path: path, log: log}
	empty := map[string]bool{}
	r.serials.Store(&empty)
	if _, err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is the deny-list file.
func (r *Revocations) Path() string { return r.path }

// Reload reads the file again and returns how many serials it holds. On
// failure the list in force stays as it was.
func (r *Revocations) Reload() (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadLocked()
}

func (r *Revocations) reloadLocked() (int, error) {
	fi, statErr := os.Stat(r.path)
	data, err := os.ReadFile(r.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		empty := map[string]bool{}
		r.serials.Store(&empty)
		r.exists, r.modTime, r.size = false, time.Time{}, 0
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("revocation list: %w", err)
	}
	serials, err := parseRevoked(data, r.path)
	if err != nil {
		return 0, fmt.Errorf("revocation list: %w", err)
	}
	r.serials.Store(&serials)
	if statErr == nil {
		r.exists, r.modTime, r.size = true, fi.ModTime(), fi.Size()
	}
	return len(serials), nil
}

// Watch polls the file every interval (1 s when 0) and reloads it when its
// modification time or size changed, until ctx is cancelled. A reload that
// fails is logged and the previous list stays in force.
func (r *Revocations) Watch(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(r.path)
		r.mu.Lock()
		changed := (err == nil) != r.exists || (err == nil && (!fi.ModTime().Equal(r.modTime) || fi.Size() != r.size))
		if !changed {
			r.mu.Unlock()
			continue
		}
		n, err := r.reloadLocked()
		r.mu.Unlock()
		if err != nil {
			r.log.Error("revocation list changed but cannot be read; the previous list stays in force", "path", r.path, "err", err)
			continue
		}
		r.log.Info("revocation list reloaded", "path", r.path, "serials", n, "by", "file change")
	}
}

// Revoked reports whether cert's serial is on the list.
func (r *Revocations) Revoked(cert *x509.Certificate) bool {
	if r == nil || cert == nil {
		return false
	}
	return (*r.serials.Load())[SerialText(cert.SerialNumber)]
}

// Check refuses a revoked client certificate, logging it at warn with the
// certificate's CN and serial; nil otherwise.
func (r *Revocations) Check(cert *x509.Certificate, where string) error {
	if !r.Revoked(cert) {
		return nil
	}
	r.log.Warn("revoked certificate refused", "cn", cert.Subject.CommonName, "serial", SerialText(cert.SerialNumber), "at", where)
	return fmt.Errorf("%w: %s (serial %s)", ErrRevoked, cert.Subject.CommonName, SerialText(cert.SerialNumber))
}

// RefuseRevoked makes conf (a ServerTLSConfig) refuse, during the handshake,
// every client certificate on r. Connections already open are checked again
// on each request by the Server (ServerConfig.Revocations).
func RefuseRevoked(conf *tls.Config, r *Revocations) {
	prev := conf.VerifyConnection
	conf.VerifyConnection = func(cs tls.ConnectionState) error {
		if prev != nil {
			if err := prev(cs); err != nil {
				return err
			}
		}
		if len(cs.PeerCertificates) == 0 {
			return nil // RequireAndVerifyClientCert refuses it already
		}
		return r.Check(cs.PeerCertificates[0], "handshake")
	}
}

// Revoke adds the serial of workstation's current certificate in dir to the
// deny-list and returns it. reason is kept on the line for people.
func Revoke(dir, workstation, reason string) (string, error) {
	if !ValidWorkstationID(workstation) {
		return "", fmt.Errorf("pki revoke: workstation id %q: want 1-63 letters, digits, '.', '_' or '-'", workstation)
	}
	certPath := filepath.Join(dir, workstation+".crt")
	cert, err := readCert(certPath)
	if err != nil {
		return "", fmt.Errorf("pki revoke: %w", err)
	}
	if err := appendRevoked(dir, cert, reason); err != nil {
		return "", fmt.Errorf("pki revoke: %w", err)
	}
	return SerialText(cert.SerialNumber), nil
}

// appendRevoked adds cert's serial to dir's deny-list (kept as it is when
// already there). The file is rewritten whole and renamed into place, so the
// server's watcher never reads half a line.
func appendRevoked(dir string, cert *x509.Certificate, reason string) error {
	path := filepath.Join(dir, RevokedFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	have, err := parseRevoked(old, path)
	if err != nil {
		return err
	}
	serial := SerialText(cert.SerialNumber)
	if have[serial] {
		return nil
	}
	var b bytes.Buffer
	b.Write(old)
	if len(old) == 0 {
		b.WriteString("# Revoked certificate serial numbers (portserver pki revoke). Lines are only added.\n")
	} else if old[len(old)-1] != '\n' {
		b.WriteByte('\n')
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		reason = "-"
	}
	fmt.Fprintf(&b, "%s cn=%s revoked_at=%s reason=%s\n", serial, cert.Subject.CommonName,
		time.Now().UTC().Format(time.RFC3339), reason)
	return writeFileAtomic(path, b.Bytes(), 0o644)
}

// readCert reads one PEM certificate.
func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	return parseCertPEM(data, path)
}
