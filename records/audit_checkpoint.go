package records

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// AuditCheckpointFormat versions the bytes a port server signs for an
// AuditCheckpoint.
const AuditCheckpointFormat = "booth-audit-checkpoint/1"

// AuditCheckpoint is the port server's countersignature of the head of one
// workstation's audit chain as the server holds it: "I hold Workstation's
// chain up to Seq, whose hash is Hash", signed at At with the key of the
// server's TLS certificate (Cert, DER). A workstation keeps the checkpoints
// it is given; since the server only stores entries that extend its copy,
// a later chain that does not end in Hash at Seq was cut or rewritten.
type AuditCheckpoint struct {
	Workstation string    `json:"workstation"`
	Seq         int64     `json:"seq"`
	Hash        []byte    `json:"hash"`
	At          time.Time `json:"at"`
	// Signature is ECDSA (ASN.1 DER) over SHA-256 of SignedBytes.
	Signature []byte `json:"signature"`
	// Cert is the signer's certificate (DER), issued by the port CA with
	// the server role; a verifier checks it against the CA it trusts.
	Cert []byte `json:"cert"`
}

// SignedBytes is the exact byte string the server signs: a JSON array
// ["booth-audit-checkpoint/1",<workstation>,<seq>,<hash hex>,<at RFC 3339 UTC>].
// The format tag keeps the signature from being mistaken for any other use
// of the key (TLS 1.3 signs a transcript that starts with 64 spaces).
func (c AuditCheckpoint) SignedBytes() []byte {
	var b strings.Builder
	b.WriteByte('[')
	for _, s := range []string{AuditCheckpointFormat, c.Workstation} {
		q, _ := json.Marshal(s) // a string always encodes
		b.Write(q)
		b.WriteByte(',')
	}
	b.WriteString(strconv.FormatInt(c.Seq, 10))
	b.WriteByte(',')
	for i, s := range []string{hex.EncodeToString(c.Hash), c.At.UTC().Format(time.RFC3339Nano)} {
		q, _ := json.Marshal(s)
		b.Write(q)
		if i == 0 {
			b.WriteByte(',')
		}
	}
	b.WriteByte(']')
	return []byte(b.String())
}
