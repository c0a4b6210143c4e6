// Package records is the domain of the booth workstation: the master crossing
// record as an append-only log of events, the fold of those events into a
// crossing's current state, and the rules that decide what an officer must
// see before admitting a vehicle. It performs no I/O.
package records

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SchemaVersion is the highest payload schema version this build reads. A
// reader that meets an event with a higher schema keeps it verbatim and never
// drops it.
//
// Schema 2 added the secondary workstation: secondary.taken, coded findings
// (seizure item and quantity), LSS answers with isotopes and an adjudication
// code, and determinations turned over to an agency or superseding another.
// An event is written with the lowest schema that carries its content (see
// SchemaFor), so a booth that only admits and refers keeps writing schema 1
// and an older port server still takes it.
const SchemaVersion = 2

// SchemaFor is the schema an event with payload p is written with: 2 when it
// uses anything schema 2 added, else 1.
func SchemaFor(p Payload) int {
	switch p := p.(type) {
	case SecondaryTaken, *SecondaryTaken:
		return 2
	case SecondaryFinding:
		return findingSchema(p)
	case *SecondaryFinding:
		return findingSchema(*p)
	case LSSAnswered:
		return lssAnswerSchema(p)
	case *LSSAnswered:
		return lssAnswerSchema(*p)
	case Determination:
		return determinationSchema(p)
	case *Determination:
		return determinationSchema(*p)
	}
	return 1
}

func findingSchema(f SecondaryFinding) int {
	if f.Item != "" || f.Quantity != "" {
		return 2
	}
	return 1
}

func lssAnswerSchema(a LSSAnswered) int {
	if a.Code != 0 || len(a.Isotopes) > 0 || a.Scientist != "" || a.MessageID != "" {
		return 2
	}
	return 1
}

func determinationSchema(d Determination) int {
	if d.Outcome == OutcomeTurnedOver || d.Agency != "" || d.Supersedes != "" {
		return 2
	}
	return 1
}

// Event is the envelope shared by every entry of the crossing log. Events are
// never updated: a correction is a new event.
type Event struct {
	ID         string          `json:"id"`          // UUIDv7, globally unique
	CrossingID string          `json:"crossing_id"` // the crossing this event belongs to
	Origin     string          `json:"origin"`      // workstation id that wrote it
	OriginSeq  int64           `json:"origin_seq"`  // per-origin, gap-free, monotonic, from 1
	Kind       Kind            `json:"kind"`
	At         time.Time       `json:"at"`          // when it happened (device time when there is one)
	RecordedAt time.Time       `json:"recorded_at"` // when the workstation wrote it
	Officer    string          `json:"officer"`     // badge; empty for device events
	Schema     int             `json:"schema"`      // payload version
	Payload    json.RawMessage `json:"payload"`
}

// NewID returns a fresh UUIDv7 string. UUIDv7 sorts by creation time, which
// keeps indexes on event ids append-friendly.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system random source fails; v4 draws
		// from the same source, so there is nothing better to fall back to.
		panic(fmt.Sprintf("records: cannot generate UUIDv7: %v", err))
	}
	return id.String()
}

// NewEvent builds an event envelope around payload. Origin and OriginSeq are
// left zero: the store assigns them inside the transaction that appends the
// event, which is what keeps the per-origin sequence gap-free.
func NewEvent(crossingID string, p Payload, at time.Time, officer string) (Event, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return Event{}, fmt.Errorf("records: encode %s payload: %w", p.Kind(), err)
	}
	return Event{
		ID:         NewID(),
		CrossingID: crossingID,
		Kind:       p.Kind(),
		At:         at.UTC(),
		Officer:    officer,
		Schema:     SchemaFor(p),
		Payload:    raw,
	}, nil
}

// Decode returns the typed payload of e. It fails for an unknown kind, a
// schema newer than this build understands, or a payload that does not decode.
func (e Event) Decode() (Payload, error) {
	if e.Schema > SchemaVersion {
		return nil, fmt.Errorf("records: event %s: %w (schema %d > %d)", e.ID, ErrNewerSchema, e.Schema, SchemaVersion)
	}
	newPayload, ok := payloadTypes[e.Kind]
	if !ok {
		return nil, fmt.Errorf("records: event %s: %w %q", e.ID, ErrUnknownKind, e.Kind)
	}
	p := newPayload()
	if err := json.Unmarshal(e.Payload, p); err != nil {
		return nil, fmt.Errorf("records: event %s: decode %s payload: %w", e.ID, e.Kind, err)
	}
	return p, nil
}

// Less orders events deterministically: by At, then by ID. Every workstation
// folding the same set of events therefore reaches the same state, whatever
// order the events arrived in.
func Less(a, b Event) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.ID < b.ID
}
