package replication

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portofentry/booth/records"
)

// The port server countersigns each workstation's audit chain head it has
// stored, with the private key of the TLS certificate it serves (ECDSA
// P-256, issued by the port CA with the server role). Every workstation
// already trusts that CA, so it can check a checkpoint offline without
// another key to distribute, rotate or protect; the signed bytes start with
// their own format tag, which no TLS 1.3 signature input does, so the two
// uses of the key cannot be confused.

// auditHashStore is what countersigning needs of the server's store beyond
// ServerStore; *sqlitestore.Store has it. A store without it gets no
// checkpoints.
type auditHashStore interface {
	AuditHashAt(ctx context.Context, origin string, seq int64) ([]byte, error)
}

// SignAuditCheckpoint signs (workstation, seq, hash, at) with cert's key.
func SignAuditCheckpoint(cert *tls.Certificate, workstation string, seq int64, hash []byte, at time.Time) (records.AuditCheckpoint, error) {
	if cert == nil || len(cert.Certificate) == 0 {
		return records.AuditCheckpoint{}, errors.New("replication: sign audit checkpoint: no certificate")
	}
	key, ok := cert.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return records.AuditCheckpoint{}, fmt.Errorf("replication: sign audit checkpoint: key is %T, want ECDSA", cert.PrivateKey)
	}
	cp := records.AuditCheckpoint{Workstation: workstation, Seq: seq, Hash: hash, At: at.UTC(), Cert: cert.Certificate[0]}
	sum := sha256.Sum256(cp.SignedBytes())
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return records.AuditCheckpoint{}, fmt.Errorf("replication: sign audit checkpoint: %w", err)
	}
	cp.Signature = sig
	return cp, nil
}

// servedCertificate is the certificate the http.Server handling r presents
// in TLS: the key that signs checkpoints. Nil when r came some other way.
func servedCertificate(r *http.Request) *tls.Certificate {
	hs, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok || hs == nil || hs.TLSConfig == nil || len(hs.TLSConfig.Certificates) == 0 {
		return nil
	}
	return &hs.TLSConfig.Certificates[0]
}

// auditCheckpoint countersigns origin's chain up to acked, or returns nil
// (logged) when it cannot: the upload itself succeeded and is acknowledged
// either way, and the next upload brings a checkpoint.
func (s *Server) auditCheckpoint(r *http.Request, origin string, acked int64) *records.AuditCheckpoint {
	if acked < 1 {
		return nil
	}
	hs, ok := s.cfg.Store.(auditHashStore)
	cert := servedCertificate(r)
	if !ok || cert == nil {
		s.log.Debug("audit checkpoint not signed: no store support or no served certificate", "workstation", origin)
		return nil
	}
	hash, err := hs.AuditHashAt(r.Context(), origin, acked)
	if err != nil || hash == nil {
		s.log.Warn("audit checkpoint not signed: head not readable", "workstation", origin, "seq", acked, "err", err)
		return nil
	}
	cp, err := SignAuditCheckpoint(cert, origin, acked, hash, time.Now())
	if err != nil {
		s.log.Error("audit checkpoint not signed", "workstation", origin, "err", err)
		return nil
	}
	return &cp
}
