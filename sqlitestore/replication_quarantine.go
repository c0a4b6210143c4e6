package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// Quarantine, port server side (records/quarantine.go has the rules in
// words): an event the server will not apply is stored in repl_quarantine
// with its reason, its origin_seq counts for the high-water mark, and it is
// neither projected nor served until an operator decides.

// Errors of the operator's decisions.
var (
	// ErrNotQuarantined: no quarantined event has that id.
	ErrNotQuarantined = errors.New("no quarantined event with that id")
	// ErrAlreadyDecided: the event was released or rejected before.
	ErrAlreadyDecided = errors.New("quarantined event already decided")
	// ErrCannotRelease: this build cannot apply the event (a newer schema
	// or an unknown kind): upgrade the server first.
	ErrCannotRelease = errors.New("this server cannot apply the event")
)

// refusal is why an event goes to quarantine.
type refusal struct{ code, reason string }

// ownerInfo is who opened a crossing, and at which port, as the server
// holds it.
type ownerInfo struct {
	origin string // "" when the server holds no event of the crossing
	port   string // the opening's port; "" when no opening is held
}

// ingestChecker applies the server's rules to each event of one batch,
// remembering the crossings it looked up.
type ingestChecker struct {
	tx         *sql.Tx
	portOrigin string // this server's own origin, "port-CODE"
	role       string // the sender's certificate role
	owners     map[string]ownerInfo
}

// check returns why e must be quarantined, nil when it may be applied.
func (c *ingestChecker) check(ctx context.Context, e records.Event) (*refusal, error) {
	if err := validate(&e); err != nil {
		return &refusal{records.QuarantineInvalidEvent, err.Error()}, nil
	}
	if e.Schema > records.SchemaVersion {
		return &refusal{records.QuarantineSchemaTooNew,
			fmt.Sprintf("schema %d is newer than the %d this server reads", e.Schema, records.SchemaVersion)}, nil
	}
	p, r := decodeStrict(e)
	if r != nil {
		return r, nil
	}
	if r := validatePayload(e, p); r != nil {
		return r, nil
	}
	owner, err := c.owner(ctx, e.CrossingID)
	if err != nil {
		return nil, err
	}
	if why := crossWriteRefusal(e.Origin, c.role, e.Kind, owner, c.portOrigin); why != "" {
		return &refusal{records.QuarantineNotAllowed, why}, nil
	}
	return nil, nil
}

// decodeStrict decodes the payload into its kind's type, refusing unknown
// kinds, fields the type does not have and anything after the object.
func decodeStrict(e records.Event) (records.Payload, *refusal) {
	plain := e
	plain.Payload = []byte("{}")
	if _, err := plain.Decode(); errors.Is(err, records.ErrUnknownKind) {
		return nil, &refusal{records.QuarantineUnknownKind, fmt.Sprintf("kind %q is not an event kind this server knows", e.Kind)}
	}
	p, _ := plain.Decode() // a fresh value of the kind's type, filled below
	dec := json.NewDecoder(bytes.NewReader(e.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return nil, &refusal{records.QuarantineInvalidPayload, fmt.Sprintf("%s payload: %v", e.Kind, err)}
	}
	if dec.More() {
		return nil, &refusal{records.QuarantineInvalidPayload, fmt.Sprintf("%s payload: data after the object", e.Kind)}
	}
	return p, nil
}

// validatePayload applies the kind's own rules where records has them. A
// schema-1 finding (free category) or LSS answer (free text) is valid as
// written: those rules came with schema 2.
func validatePayload(e records.Event, p records.Payload) *refusal {
	var err error
	switch v := p.(type) {
	case *records.CrossingOpened:
		err = checkOpening(e)
	case *records.Determination:
		err = v.Validate()
	case *records.SecondaryFinding:
		if e.Schema >= 2 {
			err = v.Validate()
		}
	case *records.LSSAnswered:
		if e.Schema >= 2 {
			err = v.Validate()
		}
	case *records.BiometricForwarded:
		err = v.Validate()
	}
	if err != nil {
		return &refusal{records.QuarantineInvalidPayload, fmt.Sprintf("%s payload: %v", e.Kind, err)}
	}
	return nil
}

// crossWriteRefusal is the rule for adding to a crossing another
// workstation opened ("" when allowed):
//
//   - the workstation that opened the crossing (or sent its first event)
//     adds anything;
//   - a primary or secondary workstation of the same port adds anything but
//     a second opening: a crossing is opened once, by one workstation;
//   - the port's own origin adds only LSS answers (reachback's answer
//     arrives at the port);
//   - a supervisor never writes, to any crossing.
//
// "Same port": every certificate comes from this port's CA, and the
// crossing's opening, when held, names this port.
func crossWriteRefusal(origin, role string, kind records.Kind, owner ownerInfo, portOrigin string) string {
	if role == roleSupervisor {
		return fmt.Sprintf("%s is a supervisor workstation: supervisors never write crossing events", origin)
	}
	if owner.origin == "" || owner.origin == origin {
		return ""
	}
	if portOrigin != "" && origin == portOrigin {
		if kind == records.KindLSSAnswered {
			return ""
		}
		return fmt.Sprintf("the port's own origin adds only %s to a workstation's crossing, not %s", records.KindLSSAnswered, kind)
	}
	if role != rolePrimary && role != roleSecondary {
		return fmt.Sprintf("%s (role %q) may not add to crossings opened by %s", origin, role, owner.origin)
	}
	if kind == records.KindCrossingOpened {
		return fmt.Sprintf("the crossing was opened by %s: %s may add to it but not open it again", owner.origin, origin)
	}
	if port := strings.TrimPrefix(portOrigin, "port-"); owner.port != "" && port != "" && port != portOrigin && owner.port != port {
		return fmt.Sprintf("the crossing was opened at port %s; this is port %s", owner.port, port)
	}
	return ""
}

// Certificate roles as the batch carries them (the replication package
// names them; the store cannot import it).
const (
	rolePrimary    = "primary"
	roleSecondary  = "secondary"
	roleSupervisor = "supervisor"
)

// owner finds who opened a crossing at this server.
func (c *ingestChecker) owner(ctx context.Context, crossingID string) (ownerInfo, error) {
	if o, ok := c.owners[crossingID]; ok {
		return o, nil
	}
	var (
		o       ownerInfo
		payload string
	)
	err := c.tx.QueryRowContext(ctx, `SELECT origin, payload FROM events
		WHERE crossing_id = ? AND kind = ? ORDER BY seq LIMIT 1`, crossingID, string(records.KindCrossingOpened)).Scan(&o.origin, &payload)
	switch {
	case err == nil:
		var op records.CrossingOpened
		_ = json.Unmarshal([]byte(payload), &op) // a stored opening decodes; a bad one leaves port ""
		o.port = op.Port
	case errors.Is(err, sql.ErrNoRows):
		// No opening held: the workstation of the crossing's first event
		// stands in for its opener.
		err = c.tx.QueryRowContext(ctx, `SELECT origin FROM events WHERE crossing_id = ? ORDER BY seq LIMIT 1`, crossingID).Scan(&o.origin)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return o, fmt.Errorf("look up crossing %s: %w", crossingID, err)
		}
	default:
		return o, fmt.Errorf("look up opening of %s: %w", crossingID, err)
	}
	if c.owners == nil {
		c.owners = map[string]ownerInfo{}
	}
	c.owners[crossingID] = o
	return o, nil
}

// noteApplied records that origin's event of crossingID was applied in this
// batch, so a crossing opened in the batch has its owner for the events
// after it.
func (c *ingestChecker) noteApplied(e records.Event) {
	if _, ok := c.owners[e.CrossingID]; ok {
		return
	}
	if c.owners == nil {
		c.owners = map[string]ownerInfo{}
	}
	o := ownerInfo{origin: e.Origin}
	if e.Kind == records.KindCrossingOpened {
		var op records.CrossingOpened
		_ = json.Unmarshal(e.Payload, &op)
		o.port = op.Port
	}
	c.owners[e.CrossingID] = o
}

// quarantineTx stores e in quarantine for r.
func quarantineTx(ctx context.Context, tx *sql.Tx, e records.Event, role string, r refusal, now time.Time) error {
	at, errAt := encodeTime(e.At)
	rec, errRec := encodeTime(e.RecordedAt)
	var atV, recV any
	if errAt == nil && at.Valid {
		atV = at.Int64
	}
	if errRec == nil && rec.Valid {
		recV = rec.Int64
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO repl_quarantine
		(id, crossing_id, origin, origin_seq, kind, at, recorded_at, officer, schema, payload, code, reason, role, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CrossingID, e.Origin, e.OriginSeq, string(e.Kind), atV, recV, e.Officer, e.Schema, string(e.Payload),
		r.code, r.reason, role, now.UnixNano())
	if err != nil {
		return fmt.Errorf("quarantine event %s (%s #%d): %w", e.ID, e.Origin, e.OriginSeq, err)
	}
	return nil
}

// quarantinedAt returns the id quarantined as origin #seq.
func quarantinedAt(ctx context.Context, x execer, origin string, seq int64) (string, bool, error) {
	rows, err := x.QueryContext(ctx, `SELECT id FROM repl_quarantine WHERE origin = ? AND origin_seq = ?`, origin, seq)
	if err != nil {
		return "", false, fmt.Errorf("look up quarantined %s #%d: %w", origin, seq, err)
	}
	defer rows.Close()
	var id string
	if rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return "", false, fmt.Errorf("look up quarantined %s #%d: %w", origin, seq, err)
		}
		return id, true, rows.Err()
	}
	return "", false, rows.Err()
}

// quarantineHighWater is the highest origin_seq of origin in quarantine
// (0 when none).
func quarantineHighWater(ctx context.Context, x execer, origin string) (int64, error) {
	rows, err := x.QueryContext(ctx, `SELECT coalesce(max(origin_seq), 0) FROM repl_quarantine WHERE origin = ?`, origin)
	if err != nil {
		return 0, fmt.Errorf("quarantine high-water of %s: %w", origin, err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("quarantine high-water of %s: %w", origin, err)
		}
	}
	return n, rows.Err()
}
