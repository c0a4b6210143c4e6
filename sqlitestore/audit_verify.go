package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Audit chain checks, as reported in AuditFault.Check.
const (
	AuditCheckSeq      = "seq"       // an entry is missing: the sequence has a gap
	AuditCheckPrevHash = "prev_hash" // the entry does not link to the one before it
	AuditCheckDetail   = "detail"    // the detail is not a canonical JSON object
	AuditCheckHash     = "hash"      // the entry's content does not match its hash
	AuditCheckAnchor   = "anchor"    // the chain does not match the port server's countersigned checkpoint
)

// AuditFault is the first entry of a chain that failed verification.
type AuditFault struct {
	Origin string
	Seq    int64
	ID     string
	Check  string // AuditCheckSeq, AuditCheckPrevHash, AuditCheckDetail, AuditCheckHash or AuditCheckAnchor
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
	// Anchor is the port server's latest checkpoint of this chain that the
	// chain matched; nil when none is kept (never uploaded, or not yet).
	Anchor *AuditAnchor
}

// AuditAnchor describes the checkpoint a chain was checked against.
type AuditAnchor struct {
	Seq    int64
	Hash   string // hex
	At     time.Time
	Signer string // common name of the signing certificate
	// Trusted is true when the signer was checked against the CA
	// (AuditVerifyOptions.Roots); otherwise only the signature with the
	// certificate it carries was checked.
	Trusted bool
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

// AuditVerifyOptions tunes VerifyAuditWith.
type AuditVerifyOptions struct {
	// Roots are the CAs a checkpoint's signer must chain to (the port CA
	// the workstation trusts). Nil checks each signature with the
	// certificate the checkpoint carries, without the CA.
	Roots *x509.CertPool
}

// VerifyAudit is VerifyAuditWith without a CA.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	return s.VerifyAuditWith(ctx, AuditVerifyOptions{})
}

// VerifyAuditWith re-computes every origin's audit chain from its first
// entry: sequence numbers must run 1, 2, 3… without gaps, each entry must
// link to the previous entry's hash, and each hash must match the entry's
// canonical bytes. Then each chain is checked against the latest checkpoint
// the port server countersigned for it (AddAuditCheckpoint): the chain must
// reach the checkpoint's seq, and its entry there must have the signed hash.
// That finds what the chain alone cannot: entries cut from the end, and a
// prefix rewritten with every hash recomputed. A broken chain is reported
// in the AuditReport, not as an error; the error is for failing to read the
// database. It streams the chain and so runs in constant memory.
func (s *Store) VerifyAuditWith(ctx context.Context, opts AuditVerifyOptions) (AuditReport, error) {
	var rep AuditReport
	cps, err := s.LatestAuditCheckpoints(ctx)
	if err != nil {
		return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
	}
	for _, origin := range slices.Sorted(maps.Keys(cps)) {
		cp := cps[origin]
		if err := VerifyAuditCheckpoint(cp, opts.Roots); err != nil {
			rep.Fault = &AuditFault{Origin: origin, Seq: cp.Seq, Check: AuditCheckAnchor,
				Detail: fmt.Sprintf("the checkpoint kept for seq %d is not the port server's: %v", cp.Seq, err)}
			return rep, nil
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY origin, seq`)
	if err != nil {
		return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
	}
	defer rows.Close()
	var (
		head *AuditChainHead
		prev []byte
	)
	zero := make([]byte, sha256.Size)
	seen := map[string]bool{}
	// finish checks the chain just streamed against its checkpoint's seq.
	finish := func() *AuditFault {
		if head == nil {
			return nil
		}
		cp, ok := cps[head.Origin]
		if !ok {
			return nil
		}
		if head.LastSeq < cp.Seq {
			return &AuditFault{Origin: head.Origin, Seq: head.LastSeq + 1, Check: AuditCheckAnchor,
				Detail: fmt.Sprintf("the chain ends at seq %d but the port server countersigned seq %d at %s: %d entries removed from the end",
					head.LastSeq, cp.Seq, cp.At.Format(time.RFC3339), cp.Seq-head.LastSeq)}
		}
		head.Anchor = anchorOf(cp, opts.Roots != nil)
		return nil
	}
	fail := func(f *AuditFault) (AuditReport, error) {
		rep.Fault = f
		rep.Chains = rep.Chains[:len(rep.Chains)-1]
		return rep, nil
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return AuditReport{}, fmt.Errorf("sqlitestore: verify audit: %w", err)
		}
		if head == nil || head.Origin != e.Origin {
			if f := finish(); f != nil {
				return fail(f)
			}
			rep.Chains = append(rep.Chains, AuditChainHead{Origin: e.Origin})
			head = &rep.Chains[len(rep.Chains)-1]
			prev = zero
			seen[e.Origin] = true
		}
		if f := checkAuditEntry(e, head.LastSeq+1, prev); f != nil {
			return fail(f)
		}
		if cp, ok := cps[e.Origin]; ok && cp.Seq == e.Seq && !bytes.Equal(cp.Hash, e.Hash) {
			return fail(&AuditFault{Origin: e.Origin, Seq: e.Seq, ID: e.ID, Check: AuditCheckAnchor,
				Detail: fmt.Sprintf("the chain has hash %x at seq %d but the port server countersigned %x at %s: the chain was rewritten up to here",
					e.Hash, e.Seq, cp.Hash, cp.At.Format(time.RFC3339))})
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
	if f := finish(); f != nil {
		return fail(f)
	}
	for _, origin := range slices.Sorted(maps.Keys(cps)) {
		if cp := cps[origin]; !seen[origin] {
			rep.Fault = &AuditFault{Origin: origin, Seq: 1, Check: AuditCheckAnchor,
				Detail: fmt.Sprintf("no entry of this chain is left but the port server countersigned seq %d at %s: every entry was removed",
					cp.Seq, cp.At.Format(time.RFC3339))}
			return rep, nil
		}
	}
	rep.OK = true
	return rep, nil
}

func anchorOf(cp AuditCheckpoint, trusted bool) *AuditAnchor {
	a := &AuditAnchor{Seq: cp.Seq, Hash: hex.EncodeToString(cp.Hash), At: cp.At, Trusted: trusted}
	if cert, err := x509.ParseCertificate(cp.Cert); err == nil {
		a.Signer = cert.Subject.CommonName
	}
	return a
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
