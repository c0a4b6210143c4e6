package sqlitestore

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portofentry/booth/records"
)

// AuditCheckpoint is the port server's countersignature of a workstation's
// audit chain head (the type is the domain's: the link carries it).
type AuditCheckpoint = records.AuditCheckpoint

// ErrBadCheckpoint wraps the reason a checkpoint's signature or signer was
// refused.
var ErrBadCheckpoint = errors.New("bad audit checkpoint")

// serverOU is the organisational unit of the port server's certificate
// (the PKI's server role): only that certificate may countersign a chain, so
// a workstation's own key (on its disk) cannot forge a checkpoint.
const serverOU = "server"

// VerifyAuditCheckpoint checks cp's signature with the public key of its
// certificate, and that the certificate is a server certificate of the port
// PKI (server-auth usage, OU server). With roots, the certificate must also
// chain to one of them as of the signing time (so a checkpoint stays
// verifiable after the server certificate expires or is renewed).
func VerifyAuditCheckpoint(cp AuditCheckpoint, roots *x509.CertPool) error {
	cert, err := x509.ParseCertificate(cp.Cert)
	if err != nil {
		return fmt.Errorf("%w: signer certificate: %w", ErrBadCheckpoint, err)
	}
	if !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || !slices.Contains(cert.Subject.OrganizationalUnit, serverOU) {
		return fmt.Errorf("%w: signer %q is not a port server certificate", ErrBadCheckpoint, cert.Subject.CommonName)
	}
	if roots != nil {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: cp.At,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			return fmt.Errorf("%w: signer %q not issued by the trusted CA: %w", ErrBadCheckpoint, cert.Subject.CommonName, err)
		}
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: signer key is %T, want ECDSA", ErrBadCheckpoint, cert.PublicKey)
	}
	sum := sha256.Sum256(cp.SignedBytes())
	if !ecdsa.VerifyASN1(pub, sum[:], cp.Signature) {
		return fmt.Errorf("%w: signature of %s #%d does not verify with %q's key", ErrBadCheckpoint, cp.Workstation, cp.Seq, cert.Subject.CommonName)
	}
	return nil
}

// AddAuditCheckpoint keeps a checkpoint the port server returned for this
// workstation's chain. Its signature must verify (VerifyAuditCheckpoint
// without roots: the link it came over was already authenticated by the CA);
// `booth audit verify` checks the signer against the CA again. A checkpoint
// already kept is not stored twice.
func (s *Store) AddAuditCheckpoint(ctx context.Context, cp AuditCheckpoint) error {
	if cp.Workstation != s.origin {
		return fmt.Errorf("sqlitestore: audit checkpoint: %w: it is for %q, this workstation is %q", ErrBadCheckpoint, cp.Workstation, s.origin)
	}
	if cp.Seq < 1 || len(cp.Hash) != sha256.Size || cp.At.Before(minTime) || cp.At.After(maxTime) {
		return fmt.Errorf("sqlitestore: audit checkpoint: %w: seq %d, %d-byte hash, time %s", ErrBadCheckpoint, cp.Seq, len(cp.Hash), cp.At)
	}
	if err := VerifyAuditCheckpoint(cp, nil); err != nil {
		return fmt.Errorf("sqlitestore: audit checkpoint: %w", err)
	}
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (origin, seq, hash, at, signature, cert, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (origin, seq, hash) DO NOTHING`,
			cp.Workstation, cp.Seq, cp.Hash, cp.At.UTC().UnixNano(), cp.Signature, cp.Cert, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: audit checkpoint: %w", err)
	}
	return nil
}

// LatestAuditCheckpoints returns, per origin, the kept checkpoint with the
// highest seq (the newest signature when several cover it).
func (s *Store) LatestAuditCheckpoints(ctx context.Context) (map[string]AuditCheckpoint, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT origin, seq, hash, at, signature, cert FROM audit_checkpoints
		ORDER BY origin, seq, at`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: audit checkpoints: %w", err)
	}
	defer rows.Close()
	out := map[string]AuditCheckpoint{}
	for rows.Next() {
		var cp AuditCheckpoint
		var at int64
		if err := rows.Scan(&cp.Workstation, &cp.Seq, &cp.Hash, &at, &cp.Signature, &cp.Cert); err != nil {
			return nil, fmt.Errorf("sqlitestore: audit checkpoints: %w", err)
		}
		cp.At = time.Unix(0, at).UTC()
		out[cp.Workstation] = cp // ordered by seq, at: the last one wins
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: audit checkpoints: %w", err)
	}
	return out, nil
}

// AuditHashAt is the hash of entry seq of origin's chain as stored here
// (nil when there is no such entry): what the port server countersigns
// after an upload.
func (s *Store) AuditHashAt(ctx context.Context, origin string, seq int64) ([]byte, error) {
	var hash []byte
	err := s.read.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE origin = ? AND seq = ?`, origin, seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: audit hash of %s #%d: %w", origin, seq, err)
	}
	return hash, nil
}
