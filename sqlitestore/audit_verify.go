package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Audit chain checks, as reported in AuditFault.Check.
const (
	AuditCheckSeq      = "seq"       // an entry is missing: the sequence has a gap
	AuditCheckPrevHash = "prev_hash" // the entry does not link to the one before it
	AuditCheckDetail   = "detail"    // the detail is not a canonical JSON object
	AuditCheckHash     = "hash"      // the entry's content does not match its hash
)

// AuditFault is the first entry of a chain that failed verification.
type AuditFault struct {
	Origin string
	Seq    int64
	ID     string
	Check  string // AuditCheckSeq, AuditCheckPrevHash, AuditCheckDetail or AuditCheckHash
	Detail string // human-readable explanation
}

func (f AuditFault) String() string {
	return fmt.Sprintf("origin %s seq %d (id %s): %s check failed: %s", f.Origin, f.Seq, f.ID, f.Check, f.Detail)
}

// AuditChainHead summarises one origin's verified chain.
type AuditChainHead struct {
	Origin  string
	Entries int64
	LastSeq int64
	Head    string // hex hash of the last entry
}

// AuditReport is the result of VerifyAudit. OK is true when every chain
// verified; otherwise Fault names the first bad entry (chains are checked in
// origin order, entries in seq order) and Chains covers the origins verified
// before it.
type AuditReport struct {
	OK      bool
	Entries int64
	Chains  []AuditChainHead
	Fault   *AuditFault
}

// VerifyAudit re-computes every origin's audit chain from its first entry:
// sequence numbers must run 1, 2, 3… without gaps, each entry must link to
// the previous entry's hash, and each hash must match the entry's canonical
// bytes. A broken chain is reported in the AuditReport, not as an error; the
// error is for failing to read the database. It streams the chain and so
// runs in constant memory.
//
// Removing the newest entries cannot be detected from the chain alone; the
// replicated copy at the port server is the anchor for that.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY origin, seq`)
	if err != nil {
		return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
	}
	defer rows.Close()
	var (
		rep  AuditReport
		head *AuditChainHead
		prev []byte
	)
	zero := make([]byte, sha256.Size)
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
		}
		if head == nil || head.Origin != e.Origin {
			rep.Chains = append(rep.Chains, AuditChainHead{Origin: e.Origin})
			head = &rep.Chains[len(rep.Chains)-1]
			prev = zero
		}
		if f := checkAuditEntry(e, head.LastSeq+1, prev); f != nil {
			rep.Fault = f
			rep.Chains = rep.Chains[:len(rep.Chains)-1]
			return rep, nil
		}
		rep.Entries++
		head.Entries++
		head.LastSeq = e.Seq
		head.Head = hex.EncodeToString(e.Hash)
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
	}
	rep.OK = true
	return rep, nil
}

// checkAuditEntry verifies one entry given the seq it must have and the hash
// of the entry before it.
func checkAuditEntry(e AuditEntry, wantSeq int64, prev []byte) *AuditFault {
	fault := func(check, format string, a ...any) *AuditFault {
		return &AuditFault{Origin: e.Origin, Seq: e.Seq, ID: e.ID, Check: check, Detail: fmt.Sprintf(format, a...)}
	}
	if e.Seq != wantSeq {
		return fault(AuditCheckSeq, "expected seq %d, found %d: %d entries missing before it", wantSeq, e.Seq, e.Seq-wantSeq)
	}
	if !bytes.Equal(e.PrevHash, prev) {
		return fault(AuditCheckPrevHash, "prev_hash %x does not match the previous entry's hash %x", e.PrevHash, prev)
	}
	canon, err := canonicalDetail(e.Detail)
	if err != nil || !bytes.Equal(canon, e.Detail) || !json.Valid(e.Detail) {
		return fault(AuditCheckDetail, "detail is not a canonical JSON object")
	}
	if want := auditHash(prev, e); !bytes.Equal(want, e.Hash) {
		return fault(AuditCheckHash, "stored hash %x, content hashes to %x: the entry was altered", e.Hash, want)
	}
	return nil
}
