package sqlitestore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

	"github.com/portofentry/booth/records"
)

// Audit chain replication: a workstation sends its own chain up in seq
// order, and the port server stores each entry verbatim only if it extends
// the copy it holds — the next seq, linked to the previous hash, hashing to
// what it claims. The server therefore holds a verified prefix of every
// workstation's chain.

// AuditOutbox returns up to limit entries of this workstation's own audit
// chain with seq greater than after, in seq order.
func (s *Store) AuditOutbox(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxOutboxBatch)
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log
		WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?`, s.origin, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: audit outbox: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: audit outbox: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: audit outbox: %w", err)
	}
	return out, nil
}

// AuditAcked is the highest seq of the own audit chain the server holds.
func (s *Store) AuditAcked(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT acked FROM repl_audit_ack WHERE singleton = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: audit acked: %w", err)
	}
	return n, nil
}

// AuditBacklog is how many own audit entries wait for the server.
func (s *Store) AuditBacklog(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log
		WHERE origin = ? AND seq > (SELECT acked FROM repl_audit_ack WHERE singleton = 1)`, s.origin).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: audit backlog: %w", err)
	}
	return n, nil
}

// AckAudit records that the server holds the own chain up to seq upTo. Acks
// are monotonic; one beyond the chain's end is ErrAckBeyondSent.
func (s *Store) AckAudit(ctx context.Context, upTo int64) error {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM audit_log WHERE origin = ?`, s.origin).Scan(&last); err != nil {
			return err
		}
		if upTo > last {
			return fmt.Errorf("%w: audit ack %d, chain ends at %d", ErrAckBeyondSent, upTo, last)
		}
		_, err := tx.ExecContext(ctx, `UPDATE repl_audit_ack SET acked = max(acked, ?) WHERE singleton = 1`, upTo)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: ack audit: %w", err)
	}
	return nil
}

// IngestAudit appends entries of origin's chain received from that
// workstation, in one transaction. Like Ingest it stops at the first entry
// it cannot take — a gap (*records.GapError), another origin (records.ErrForeignOrigin),
// another entry under a held seq (records.ErrSequenceConflict), or an entry that
// does not extend the chain (ErrInvalidAudit: wrong link or hash) — keeps
// what came before and returns the chain's head seq with that error.
func (s *Store) IngestAudit(ctx context.Context, origin string, entries []AuditEntry) (acked int64, stop error) {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var prev []byte
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE origin = ? ORDER BY seq DESC LIMIT 1`, origin).Scan(&acked, &prev)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			acked, prev = 0, make([]byte, sha256.Size)
		case err != nil:
			return fmt.Errorf("read audit chain head of %s: %w", origin, err)
		}
		stop = nil
		for _, e := range entries {
			switch {
			case e.Origin != origin:
				stop = fmt.Errorf("%w: %s sent audit entry %s of %q", records.ErrForeignOrigin, origin, e.ID, e.Origin)
				return nil
			case e.Seq <= acked:
				var id string
				if err := tx.QueryRowContext(ctx, `SELECT id FROM audit_log WHERE origin = ? AND seq = ?`, origin, e.Seq).Scan(&id); err != nil {
					return fmt.Errorf("look up audit %s #%d: %w", origin, e.Seq, err)
				}
				if id != e.ID {
					stop = fmt.Errorf("%w: audit %s #%d is entry %s, received %s", records.ErrSequenceConflict, origin, e.Seq, id, e.ID)
					return nil
				}
				continue
			case e.Seq > acked+1:
				stop = &records.GapError{Origin: origin, Expected: acked + 1, Got: e.Seq}
				return nil
			}
			if err := validateAudit(e); err != nil {
				stop = fmt.Errorf("%w: audit %s #%d: %w", ErrInvalidAudit, origin, e.Seq, err)
				return nil
			}
			if f := checkAuditEntry(e, acked+1, prev); f != nil {
				stop = fmt.Errorf("%w: %s", ErrInvalidAudit, f)
				return nil
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.ID, e.Origin, e.Seq, e.At.UnixNano(), e.Officer, e.Action, e.Subject, string(e.Detail), e.PrevHash, e.Hash); err != nil {
				return fmt.Errorf("insert audit %s #%d: %w", origin, e.Seq, err)
			}
			acked, prev = e.Seq, e.Hash
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: ingest audit of %s: %w", origin, err)
	}
	return acked, stop
}
