package records

import "time"

// Quarantine at the port server: an event a workstation sent that the server
// will not apply (a newer schema, an unknown kind, a payload that breaks its
// kind's schema, a write to another workstation's crossing the rules do not
// allow) is still received and stored, so the workstation's high-water mark
// moves on and its queue never blocks, but it is held apart: not applied to
// the projections and not served in the feed, until an operator releases it
// or marks it rejected. Nothing is ever deleted.

// Why an event is quarantined (QuarantinedEvent.Code).
const (
	QuarantineSchemaTooNew   = "schema_too_new"  // a payload schema newer than the server reads
	QuarantineUnknownKind    = "unknown_kind"    // a kind the server does not know
	QuarantineInvalidPayload = "invalid_payload" // the payload does not decode strictly or breaks its kind's rules
	QuarantineInvalidEvent   = "invalid_event"   // the envelope breaks the rules (times, officer, payload JSON)
	QuarantineNotAllowed     = "not_allowed"     // this origin may not add this event to that crossing
)

// QuarantineState is where a quarantined event stands.
type QuarantineState string

// Quarantine states; an event leaves "held" once, by an operator's decision.
const (
	QuarantineHeld     QuarantineState = "held"
	QuarantineReleased QuarantineState = "released" // applied and served since DecidedAt
	QuarantineRejected QuarantineState = "rejected" // kept, never applied
)

// QuarantinedEvent is an event held in quarantine, with why and what
// became of it.
type QuarantinedEvent struct {
	Event      Event           `json:"event"`
	Code       string          `json:"code"`
	Reason     string          `json:"reason"`
	ReceivedAt time.Time       `json:"received_at"`
	State      QuarantineState `json:"state"`
	DecidedAt  time.Time       `json:"decided_at,omitzero"`
	DecidedBy  string          `json:"decided_by,omitempty"`
	Note       string          `json:"note,omitempty"`
}
