package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/portofentry/booth/records"
)

// Audit actions (docs/design.md §6.3). Other lower-case actions are accepted so a new
// build can audit new things without a migration.
const (
	ActionLogin           = "login"
	ActionLoginFailed     = "login_failed"
	ActionLogout          = "logout"
	ActionLock            = "lock"
	ActionUnlock          = "unlock"
	ActionView            = "view"
	ActionSearch          = "search"
	ActionCreate          = "create"
	ActionExport          = "export"
	ActionPurge           = "purge"
	ActionOfficerAdd      = "officer_add"
	ActionOfficerDisable  = "officer_disable"
	ActionReferenceImport = "reference_import"
)

// maxAuditDetail bounds the detail JSON of one audit entry.
const maxAuditDetail = 64 << 10

// auditFormat versions the canonical encoding hashed into the chain.
const auditFormat = "booth-audit/1"

// ErrInvalidAudit wraps the reason an audit entry was refused.
var ErrInvalidAudit = records.ErrInvalidAudit

// AuditEntry is one link of the audit chain (the type is the domain's, so
// the replication link carries it without knowing this store).
type AuditEntry = records.AuditEntry

// Audit appends e to this workstation's audit chain in its own durable
// transaction. An entry whose ID is already in the chain is not written again
// (so a retried write cannot duplicate it).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := s.auditTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: audit %s: %w", e.Action, err)
	}
	return nil
}

// auditTx appends e to the audit chain inside tx, a transaction on the
// store's writer, so the entry commits or rolls back with the writes it
// describes. It returns the entry as stored.
func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) (AuditEntry, error) {
	if e.Origin == "" {
		e.Origin = s.origin
	}
	return appendAudit(ctx, tx, e, time.Now())
}

func appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry, now time.Time) (AuditEntry, error) {
	if e.ID == "" {
		e.ID = records.NewID()
	} else {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM audit_log WHERE id = ?`, e.ID).Scan(&one)
		if err == nil {
			return readAuditByID(ctx, tx, e.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return e, fmt.Errorf("look up audit id: %w", err)
		}
	}
	if e.At.IsZero() {
		e.At = now
	}
	e.At = e.At.UTC()
	detail, err := canonicalDetail(e.Detail)
	if err != nil {
		return e, err
	}
	e.Detail = detail
	if err := validateAudit(e); err != nil {
		return e, err
	}
	var last sql.NullInt64
	var prev []byte
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE origin = ? ORDER BY seq DESC LIMIT 1`, e.Origin).Scan(&last, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prev = make([]byte, sha256.Size)
	case err != nil:
		return e, fmt.Errorf("read audit chain head: %w", err)
	}
	e.Seq = last.Int64 + 1
	e.PrevHash = prev
	e.Hash = auditHash(prev, e)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (id, origin, seq, at, officer, action, subject, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Origin, e.Seq, e.At.UnixNano(), e.Officer, e.Action, e.Subject,
		string(e.Detail), e.PrevHash, e.Hash); err != nil {
		return e, fmt.Errorf("insert audit entry: %w", err)
	}
	return e, nil
}

func validateAudit(e AuditEntry) error {
	if e.Origin == "" {
		return fmt.Errorf("%w: origin is empty (store opened without a workstation id)", ErrInvalidAudit)
	}
	for _, f := range []struct{ name, v string }{{"id", e.ID}, {"origin", e.Origin}, {"officer", e.Officer}} {
		if err := checkField(f.name, f.v); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidAudit, err)
		}
	}
	if len(e.Action) == 0 || len(e.Action) > 32 {
		return fmt.Errorf("%w: action must be 1-32 characters, got %q", ErrInvalidAudit, e.Action)
	}
	for i := 0; i < len(e.Action); i++ {
		if c := e.Action[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return fmt.Errorf("%w: action must be lower-case letters and _, got %q", ErrInvalidAudit, e.Action)
		}
	}
	if len(e.Subject) > 1024 {
		return fmt.Errorf("%w: subject is %d bytes, more than 1024", ErrInvalidAudit, len(e.Subject))
	}
	if e.At.Before(minTime) || e.At.After(maxTime) {
		return fmt.Errorf("%w: time %s outside the storable range", ErrInvalidAudit, e.At)
	}
	return nil
}

// canonicalDetail checks that raw is one JSON object and returns it in
// canonical form: keys sorted, no insignificant space, numbers as written,
// no HTML escaping.
func canonicalDetail(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}"), nil
	}
	if len(raw) > maxAuditDetail {
		return nil, fmt.Errorf("%w: detail is %d bytes, more than %d", ErrInvalidAudit, len(raw), maxAuditDetail)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil || v == nil {
		return nil, fmt.Errorf("%w: detail must be a JSON object", ErrInvalidAudit)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: detail has data after the JSON object", ErrInvalidAudit)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: detail: %w", ErrInvalidAudit, err)
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// AuditDetail encodes v (a struct or map) as an audit detail object.
func AuditDetail(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported values (channels, funcs, NaN) fail; keep the
		// entry and say why instead of losing the audit record.
		b, _ = json.Marshal(map[string]string{"encode_error": err.Error()})
	}
	return b
}

// auditCanonical is the byte string hashed for e (docs/security.md):
// a JSON array ["booth-audit/1", id, origin, seq, at, officer, action,
// subject, detail] with at in RFC 3339 UTC with nanoseconds, strings JSON
// encoded without HTML escaping, and detail verbatim as stored.
func auditCanonical(e AuditEntry) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for _, s := range []string{auditFormat, e.ID, e.Origin} {
		writeJSONString(&b, s)
		b.WriteByte(',')
	}
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteByte(',')
	for _, s := range []string{e.At.UTC().Format(time.RFC3339Nano), e.Officer, e.Action, e.Subject} {
		writeJSONString(&b, s)
		b.WriteByte(',')
	}
	b.Write(e.Detail)
	b.WriteByte(']')
	return b.Bytes()
}

// auditHash is SHA-256(prev || canonical bytes of e).
func auditHash(prev []byte, e AuditEntry) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(auditCanonical(e))
	return h.Sum(nil)
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // encoding a string cannot fail
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

const auditColumns = `id, origin, seq, at, officer, action, subject, detail, prev_hash, hash`

func scanAudit(r rowScanner) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	var detail string
	if err := r.Scan(&e.ID, &e.Origin, &e.Seq, &at, &e.Officer, &e.Action, &e.Subject, &detail, &e.PrevHash, &e.Hash); err != nil {
		return AuditEntry{}, err
	}
	e.At = time.Unix(0, at).UTC()
	e.Detail = json.RawMessage(detail)
	return e, nil
}

func readAuditByID(ctx context.Context, tx *sql.Tx, id string) (AuditEntry, error) {
	e, err := scanAudit(tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE id = ?`, id))
	if err != nil {
		return AuditEntry{}, fmt.Errorf("read audit entry %s: %w", id, err)
	}
	return e, nil
}

// RecentAudit returns the newest audit entries, newest first (at most limit,
// 1000 when limit <= 0 or larger), for the supervisor's audit screen.
func (s *Store) RecentAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY at DESC, origin, seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: recent audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: recent audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: recent audit: %w", err)
	}
	return out, nil
}

// ownWriteTx runs fn in one immediate transaction on the writer and commits,
// or rolls back when fn fails. A read-only store returns ErrReadOnly.
func (s *Store) ownWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.readOnly || s.write == nil {
		return ErrReadOnly
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.written("write", fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.written("write", err)
	}
	if err := tx.Commit(); err != nil {
		return s.written("write", fmt.Errorf("commit: %w", err))
	}
	return s.written("write", nil)
}
