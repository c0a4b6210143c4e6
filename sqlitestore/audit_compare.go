package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
)

// Checks of CompareAuditChain, besides the chain checks of VerifyAudit.
const (
	AuditCheckMissing = "missing" // the file lacks an entry the server holds
	AuditCheckDiffers = "differs" // the file's entry is not the one the server holds
)

// AuditComparison is the result of CompareAuditChain.
type AuditComparison struct {
	Origin     string
	ServerLast int64 // the server's copy holds seq 1..ServerLast
	FileLast   int64 // the file's chain verified up to FileLast
	Matched    int64 // entries identical in both
	// Fault is the first difference, or the first entry of the file's chain
	// that does not verify; nil when the file holds the server's copy
	// exactly, followed by entries not uploaded yet that verify.
	Fault *AuditFault
}

// OK reports whether the file matched the server's copy.
func (c AuditComparison) OK() bool { return c.Fault == nil }

// CompareAuditChain compares origin's audit chain in file (a workstation's
// database) with the copy server holds: every entry the server holds must be
// in the file unchanged (same id and hash), and the file's chain must verify
// from its first entry to its last, including entries not yet uploaded. A
// file whose chain was cut, or rewritten with every hash recomputed, fails
// at the first entry that differs. Both chains are streamed.
func CompareAuditChain(ctx context.Context, server, file *Store, origin string) (AuditComparison, error) {
	cmp := AuditComparison{Origin: origin}
	srows, err := server.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE origin = ? ORDER BY seq`, origin)
	if err != nil {
		return cmp, fmt.Errorf("sqlitestore: compare audit: server: %w", err)
	}
	defer srows.Close()
	frows, err := file.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE origin = ? ORDER BY seq`, origin)
	if err != nil {
		return cmp, fmt.Errorf("sqlitestore: compare audit: file: %w", err)
	}
	defer frows.Close()
	prev := make([]byte, sha256.Size)
	// nextFile reads and verifies the file's next entry; ok is false at its
	// end, and fault is set when the entry does not verify.
	nextFile := func() (e AuditEntry, ok bool, fault *AuditFault, err error) {
		if !frows.Next() {
			return e, false, nil, frows.Err()
		}
		if e, err = scanAudit(frows); err != nil {
			return e, false, nil, err
		}
		if f := checkAuditEntry(e, cmp.FileLast+1, prev); f != nil {
			return e, true, f, nil
		}
		cmp.FileLast, prev = e.Seq, e.Hash
		return e, true, nil, nil
	}
	for srows.Next() {
		se, err := scanAudit(srows)
		if err != nil {
			return cmp, fmt.Errorf("sqlitestore: compare audit: server: %w", err)
		}
		cmp.ServerLast = se.Seq
		fe, ok, fault, err := nextFile()
		switch {
		case err != nil:
			return cmp, fmt.Errorf("sqlitestore: compare audit: file: %w", err)
		case !ok:
			cmp.Fault = &AuditFault{Origin: origin, Seq: se.Seq, ID: se.ID, Check: AuditCheckMissing,
				Detail: fmt.Sprintf("the file's chain ends at seq %d; the port server holds entry %d (%s %s) and more: entries removed from the end",
					cmp.FileLast, se.Seq, se.Action, se.At.Format("2006-01-02T15:04:05Z07:00"))}
			return cmp, drainCount(srows, &cmp.ServerLast)
		case fe.ID != se.ID || !bytes.Equal(fe.Hash, se.Hash) || fe.Seq != se.Seq:
			cmp.Fault = &AuditFault{Origin: origin, Seq: se.Seq, ID: fe.ID, Check: AuditCheckDiffers,
				Detail: fmt.Sprintf("the file has entry %s (seq %d, hash %x) where the port server holds %s (seq %d, hash %x)",
					fe.ID, fe.Seq, fe.Hash, se.ID, se.Seq, se.Hash)}
			return cmp, drainCount(srows, &cmp.ServerLast)
		case fault != nil:
			// Same id and hash as the server's but the row's content no
			// longer hashes to it: edited in place.
			cmp.Fault = fault
			return cmp, drainCount(srows, &cmp.ServerLast)
		}
		cmp.Matched++
	}
	if err := srows.Err(); err != nil {
		return cmp, fmt.Errorf("sqlitestore: compare audit: server: %w", err)
	}
	for {
		_, ok, fault, err := nextFile()
		if err != nil {
			return cmp, fmt.Errorf("sqlitestore: compare audit: file: %w", err)
		}
		if fault != nil {
			cmp.Fault = fault
			return cmp, nil
		}
		if !ok {
			return cmp, nil
		}
	}
}

// drainCount reads the rest of rows to learn the last seq they hold.
func drainCount(rows *sql.Rows, last *int64) error {
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("sqlitestore: compare audit: server: %w", err)
		}
		*last = e.Seq
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: compare audit: server: %w", err)
	}
	return nil
}
