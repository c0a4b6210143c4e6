package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// Officer roles (docs/design.md §6); an account holds a set of them.
const (
	RolePrimary    = string(records.RolePrimary)
	RoleSecondary  = string(records.RoleSecondary)
	RoleSupervisor = string(records.RoleSupervisor)
)

// Where an account comes from: a port account is managed once per port at
// the port server and cached at every workstation through the feed; a local
// account exists at one workstation only (demos, offline set-up,
// break-glass) and never goes up. A port account wins over a local one with
// the same badge.
const (
	SourcePort  = "port"
	SourceLocal = "local"
)

// Lockout policy: this many consecutive failed logins lock the account for
// LockoutDuration.
const (
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
)

// Audit actions of accounts beyond the common ones (audit.go).
const (
	// ActionLoginBreakGlass is a sign-in with a break-glass local account
	// while the account cache had expired. Supervisors see these.
	ActionLoginBreakGlass = "login_break_glass"
	// ActionPortAccountLock is the port server locking a port account after
	// failures counted across the port.
	ActionPortAccountLock = "officer_lock"
)

// UnknownBadge is the audit subject of a failed sign-in with a badge that is
// not an account: what was typed (perhaps a PIN in the badge field) is never
// recorded.
const UnknownBadge = "unknown badge"

// Officer account errors.
var (
	// ErrBadCredentials is returned for an unknown badge and for a wrong PIN
	// alike, so a failed login does not reveal which badges exist.
	ErrBadCredentials = errors.New("badge or PIN not recognised")
	// ErrLockedOut is matched by a *LockedOutError.
	ErrLockedOut = errors.New("account locked after repeated failed logins")
	// ErrDisabled is returned for a correct PIN on a disabled account.
	ErrDisabled = errors.New("account disabled")
	// ErrNoRole is returned for a correct PIN on an account without a role
	// for this kind of workstation.
	ErrNoRole = errors.New("account has no role for this workstation")
	// ErrCacheExpired is returned for a correct PIN when the workstation has
	// not heard from the port server for the account cache's maximum age:
	// only a break-glass local account may sign in.
	ErrCacheExpired = errors.New("officer accounts not confirmed by the port server for too long; only a break-glass account may sign in")
	// ErrBreakGlassUnavailable is returned for a break-glass account while
	// the account cache is current.
	ErrBreakGlassUnavailable = errors.New("break-glass accounts work only while the account cache has expired")
	// ErrOfficerExists is returned by AddOfficer for a badge already in use.
	ErrOfficerExists = errors.New("badge already registered")
	// ErrUnknownOfficer is returned by DisableOfficer for a badge not on file.
	ErrUnknownOfficer = errors.New("no officer with that badge")
	// ErrInvalidOfficer wraps the reason an account's fields were refused.
	ErrInvalidOfficer = errors.New("invalid officer")
)

// LockedOutError says until when an account is locked.
type LockedOutError struct {
	Badge string
	Until time.Time
}

func (e *LockedOutError) Error() string {
	return fmt.Sprintf("%v: badge %s locked until %s", ErrLockedOut, e.Badge, e.Until.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLockedOut) true.
func (e *LockedOutError) Is(target error) bool { return target == ErrLockedOut }

// Officer is an officer account as others may see it (never the PIN hash).
type Officer struct {
	Badge       string        `json:"badge"`
	Name        string        `json:"name"`
	Roles       records.Roles `json:"roles"`
	Source      string        `json:"source"` // port | local
	BreakGlass  bool          `json:"break_glass,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	Disabled    bool          `json:"disabled"`
	DisabledAt  time.Time     `json:"disabled_at,omitzero"`
	LockedUntil time.Time     `json:"locked_until,omitzero"`
	LastLoginAt time.Time     `json:"last_login_at,omitzero"`
}

// NormalizeBadge upper-cases a badge number and trims spaces.
func NormalizeBadge(b string) string { return strings.ToUpper(strings.TrimSpace(b)) }

// validBadge reports whether b (normalised) is 1-32 of A-Z, 0-9 and -.
func validBadge(b string) bool {
	if b == "" || len(b) > 32 {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// NewOfficer is an account to create.
type NewOfficer struct {
	Badge string
	Name  string
	// Roles is a comma-separated set: "primary", "primary,secondary".
	Roles string
	// PIN is 6-12 digits (see ValidatePIN); the caller zeroes it afterwards.
	PIN []byte
	// BreakGlass makes a local account that signs in only while the
	// account cache has expired, every use audited as such.
	BreakGlass bool
}

// normalize checks and normalises the fields.
func (n NewOfficer) normalize() (badge, name string, roles records.Roles, err error) {
	badge, name = NormalizeBadge(n.Badge), strings.TrimSpace(n.Name)
	if !validBadge(badge) {
		return "", "", nil, fmt.Errorf("%w: badge must be 1-32 letters, digits and -, got %q", ErrInvalidOfficer, badge)
	}
	if name == "" || len(name) > 100 {
		return "", "", nil, fmt.Errorf("%w: name must be 1-100 characters", ErrInvalidOfficer)
	}
	if err := checkField("name", name); err != nil {
		return "", "", nil, fmt.Errorf("%w: %w", ErrInvalidOfficer, err)
	}
	if roles, err = records.ParseRoles(n.Roles); err != nil {
		return "", "", nil, fmt.Errorf("%w: %w", ErrInvalidOfficer, err)
	}
	if err := ValidatePIN(n.PIN); err != nil {
		return "", "", nil, fmt.Errorf("%s: %w", badge, err)
	}
	return badge, name, roles, nil
}

// AddOfficer registers a local account at this workstation with a set of
// roles ("primary" or "primary,secondary") and a PIN. See AddLocalOfficer.
func (s *Store) AddOfficer(ctx context.Context, badge, name, roles string, pin []byte) error {
	return s.AddLocalOfficer(ctx, NewOfficer{Badge: badge, Name: name, Roles: roles, PIN: pin})
}

// AddLocalOfficer registers a local account. The PIN is kept only as an
// argon2id verifier with the workstation pepper (made on first use). Local
// accounts never leave the workstation. The addition is audited.
func (s *Store) AddLocalOfficer(ctx context.Context, n NewOfficer) error {
	if s.readOnly || s.write == nil {
		return ErrReadOnly
	}
	badge, name, roles, err := n.normalize()
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer: %w", err)
	}
	pepper, err := s.workstationPepper()
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	h, err := newArgonHash(n.PIN, pepper, argonCostFor(s.pinIterations)) // slow: outside the write transaction
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	now := time.Now()
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO officers (badge, name, roles, break_glass, pin_algo, pin_iterations,
			pin_memory, pin_threads, pin_salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			badge, name, roles.String(), n.BreakGlass, h.algo, h.iterations, h.memory, h.threads, h.salt, h.hash, now.UnixNano()); err != nil {
			if isSQLiteUniqueViolation(err) {
				return ErrOfficerExists
			}
			return fmt.Errorf("insert: %w", err)
		}
		d := map[string]any{"name": name, "roles": roles.String(), "source": SourceLocal}
		if n.BreakGlass {
			d["break_glass"] = true
		}
		_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionOfficerAdd, Subject: badge, Detail: AuditDetail(d)})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	s.log.Info("officer added", "badge", badge, "roles", roles.String(), "break_glass", n.BreakGlass)
	return nil
}

// DisableOfficer disables a local account: it can no longer log in.
// Accounts are never deleted, so the audit trail keeps naming a real
// account. Disabling a disabled account is a no-op. (Port accounts are
// disabled at the port server: DisablePortAccount.)
func (s *Store) DisableOfficer(ctx context.Context, badge string) error {
	return s.disableAccount(ctx, "officer", "officers", SourceLocal, badge, func(tx *sql.Tx, badge string, at int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE officers SET disabled_at = ? WHERE badge = ?`, at, badge)
		return wrapUpdate(err)
	})
}

// disableAccount is DisableOfficer and DisablePortAccount: in one write
// transaction it reads the account's disabled_at from table (an unknown
// badge is ErrUnknownOfficer, a disabled account a no-op), runs update to
// disable it at now (its errors returned as they are) and audits the
// disable with the account's source. what names the account in the error
// ("officer", "port account").
func (s *Store) disableAccount(ctx context.Context, what, table, source, badge string,
	update func(tx *sql.Tx, badge string, at int64) error) error {
	if s.readOnly || s.write == nil {
		return ErrReadOnly
	}
	badge = NormalizeBadge(badge)
	now := time.Now()
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var disabled sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT disabled_at FROM `+table+` WHERE badge = ?`, badge).Scan(&disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownOfficer
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if disabled.Valid {
			return nil
		}
		if err := update(tx, badge, now.UnixNano()); err != nil {
			return err
		}
		_, err = s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionOfficerDisable, Subject: badge,
			Detail: AuditDetail(map[string]string{"source": source})})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: disable %s %s: %w", what, badge, err)
	}
	return nil
}

// wrapUpdate wraps a failed UPDATE of disableAccount's update.
func wrapUpdate(err error) error {
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return nil
}

// The columns scanOfficer reads, from each table. A port account's lock is
// the later of the port-wide lock and this database's own.
const (
	localOfficerColumns = `badge, name, roles, 'local', break_glass, created_at, disabled_at, locked_until, last_login_at`
	portOfficerColumns  = `badge, name, roles, 'port', 0, created_at, disabled_at,
		nullif(max(coalesce(locked_until, 0), coalesce(local_locked_until, 0)), 0), last_login_at`
)

// scanOfficer reads the officer columns, then any extra columns into extra.
func scanOfficer(r rowScanner, extra ...any) (Officer, error) {
	var o Officer
	var roles string
	var created int64
	var disabled, locked, last sql.NullInt64
	dest := append([]any{&o.Badge, &o.Name, &roles, &o.Source, &o.BreakGlass, &created, &disabled, &locked, &last}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Officer{}, err
	}
	rs, err := records.ParseRoles(roles)
	if err != nil {
		return Officer{}, fmt.Errorf("account %s: %w", o.Badge, err)
	}
	o.Roles = rs
	o.CreatedAt = time.Unix(0, created).UTC()
	o.Disabled = disabled.Valid
	o.DisabledAt, o.LockedUntil, o.LastLoginAt = decodeTime(disabled), decodeTime(locked), decodeTime(last)
	return o, nil
}

// ListOfficers returns every account, port and local, by badge (a port
// account before a local one with the same badge, which it shadows).
func (s *Store) ListOfficers(ctx context.Context) ([]Officer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT * FROM (
		SELECT `+portOfficerColumns+`, 0 AS pri FROM port_accounts
		UNION ALL SELECT `+localOfficerColumns+`, 1 AS pri FROM officers) ORDER BY badge, pri`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list officers: %w", err)
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		var pri int
		o, err := scanOfficer(rows, &pri)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: list officers: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: list officers: %w", err)
	}
	return out, nil
}
