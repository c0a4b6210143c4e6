package records

import (
	"encoding/json"
	"errors"
	"time"
)

// AuditEntry is one link of a workstation's audit chain (docs/design.md
// §6.3): who did what to which subject, when, hashed together with the
// previous link. The booth's store appends and verifies entries; the link
// carries them to the port server, which verifies and keeps every
// workstation's chain. Callers fill Officer, Action, Subject and Detail (and
// At, else now); the store assigns ID, Origin, Seq, PrevHash and Hash.
type AuditEntry struct {
	ID      string    `json:"id"`     // UUIDv7, globally unique
	Origin  string    `json:"origin"` // workstation that wrote it
	Seq     int64     `json:"seq"`    // per-origin, gap-free, from 1
	At      time.Time `json:"at"`
	Officer string    `json:"officer"` // badge; "" for the system (retention) or an unknown badge
	Action  string    `json:"action"`
	Subject string    `json:"subject"` // what was acted on: crossing id, badge, capture id, search terms…
	// Detail is a JSON object (nil means {}); it is stored in canonical form
	// (sorted keys, no insignificant space).
	Detail   json.RawMessage `json:"detail"`
	PrevHash []byte          `json:"prev_hash"`
	Hash     []byte          `json:"hash"`
}

// ErrInvalidAudit wraps the reason an audit entry was refused: it is
// malformed or does not extend its chain.
var ErrInvalidAudit = errors.New("invalid audit entry")
