package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Officer roles (DESIGN §1).
const (
	RolePrimary    = "primary"
	RoleSecondary  = "secondary"
	RoleSupervisor = "supervisor"
)

// Lockout policy: this many consecutive failed logins lock the account for
// LockoutDuration.
const (
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
)

// Officer account errors.
var (
	// ErrBadCredentials is returned for an unknown badge and for a wrong PIN
	// alike, so a failed login does not reveal which badges exist.
	ErrBadCredentials = errors.New("badge or PIN not recognised")
	// ErrLockedOut is matched by a *LockedOutError.
	ErrLockedOut = errors.New("account locked after repeated failed logins")
	// ErrDisabled is returned for a correct PIN on a disabled account.
	ErrDisabled = errors.New("account disabled")
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
	Badge       string    `json:"badge"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
	Disabled    bool      `json:"disabled"`
	DisabledAt  time.Time `json:"disabled_at,omitzero"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LastLoginAt time.Time `json:"last_login_at,omitzero"`
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

func validateOfficer(badge, name, role string) error {
	if !validBadge(badge) {
		return fmt.Errorf("%w: badge must be 1-32 letters, digits and -, got %q", ErrInvalidOfficer, badge)
	}
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		return fmt.Errorf("%w: name must be 1-100 characters", ErrInvalidOfficer)
	}
	if err := checkField("name", name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOfficer, err)
	}
	switch role {
	case RolePrimary, RoleSecondary, RoleSupervisor:
	default:
		return fmt.Errorf("%w: role must be primary, secondary or supervisor, got %q", ErrInvalidOfficer, role)
	}
	return nil
}

// AddOfficer registers an officer with a PIN (6-12 digits, see ValidatePIN).
// The PIN is kept only as a salted slow hash; the caller should zero pin
// afterwards. The addition is audited.
func (s *Store) AddOfficer(ctx context.Context, badge, name, role string, pin []byte) error {
	badge, name = NormalizeBadge(badge), strings.TrimSpace(name)
	if err := validateOfficer(badge, name, role); err != nil {
		return fmt.Errorf("sqlitestore: add officer: %w", err)
	}
	if err := ValidatePIN(pin); err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	h, err := newPINHash(pin, s.pinIterations) // slow: outside the write transaction
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	now := time.Now()
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO officers (badge, name, role, pin_algo, pin_iterations, pin_salt, pin_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, badge, name, role, h.algo, h.iterations, h.salt, h.hash, now.UnixNano()); err != nil {
			if isSQLiteUniqueViolation(err) {
				return ErrOfficerExists
			}
			return fmt.Errorf("insert: %w", err)
		}
		_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionOfficerAdd, Subject: badge,
			Detail: AuditDetail(map[string]string{"name": name, "role": role})})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add officer %s: %w", badge, err)
	}
	s.log.Info("officer added", "badge", badge, "role", role)
	return nil
}

// DisableOfficer disables an account: it can no longer log in. Accounts are
// never deleted, so the audit trail keeps naming a real account. Disabling a
// disabled account is a no-op.
func (s *Store) DisableOfficer(ctx context.Context, badge string) error {
	badge = NormalizeBadge(badge)
	now := time.Now()
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var disabled sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT disabled_at FROM officers WHERE badge = ?`, badge).Scan(&disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownOfficer
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if disabled.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE officers SET disabled_at = ? WHERE badge = ?`, now.UnixNano(), badge); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		_, err = s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionOfficerDisable, Subject: badge})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: disable officer %s: %w", badge, err)
	}
	return nil
}

const officerColumns = `badge, name, role, created_at, disabled_at, locked_until, last_login_at`

// scanOfficer reads officerColumns, then any extra columns into extra.
func scanOfficer(r rowScanner, extra ...any) (Officer, error) {
	var o Officer
	var created int64
	var disabled, locked, last sql.NullInt64
	dest := append([]any{&o.Badge, &o.Name, &o.Role, &created, &disabled, &locked, &last}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Officer{}, err
	}
	o.CreatedAt = time.Unix(0, created).UTC()
	o.Disabled = disabled.Valid
	o.DisabledAt, o.LockedUntil, o.LastLoginAt = decodeTime(disabled), decodeTime(locked), decodeTime(last)
	return o, nil
}

// ListOfficers returns every account, by badge.
func (s *Store) ListOfficers(ctx context.Context) ([]Officer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+officerColumns+` FROM officers ORDER BY badge`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list officers: %w", err)
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		o, err := scanOfficer(rows)
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

// Authenticate checks a badge and PIN at time now and audits the attempt.
// It returns the officer on success; ErrBadCredentials for an unknown badge or
// a wrong PIN (indistinguishable, also in time); a *LockedOutError (matching
// ErrLockedOut) while the account is locked, including on the failure that
// locks it; ErrDisabled for a correct PIN on a disabled account. A success
// clears the failure count. On a read-only store (supervisors) nothing is
// written: database locks and disabled accounts are honoured, failures are
// counted in this process, and the login is not audited locally.
func (s *Store) Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error) {
	badge = NormalizeBadge(badge)
	if s.readOnly || s.write == nil {
		return s.authenticateReadOnly(ctx, badge, pin, now)
	}
	if !validBadge(badge) {
		// Not a badge at all: same cost and answer as a wrong PIN, and the
		// audit entry does not copy whatever was typed.
		decoyPIN(s.pinIterations).matches(pin)
		if err := s.auditLoginFailure(ctx, "(malformed)", now, "bad_credentials", nil); err != nil {
			return Officer{}, err
		}
		return Officer{}, ErrBadCredentials
	}
	o, h, found, err := s.officerWithPIN(ctx, badge)
	if err != nil {
		return Officer{}, fmt.Errorf("sqlitestore: authenticate: %w", err)
	}
	if found && now.Before(o.LockedUntil) {
		if err := s.auditLoginFailure(ctx, badge, now, "locked", nil); err != nil {
			return Officer{}, err
		}
		return Officer{}, &LockedOutError{Badge: badge, Until: o.LockedUntil}
	}
	if !found {
		h = decoyPIN(s.pinIterations)
	}
	ok := h.matches(pin) // slow: outside any transaction
	switch {
	case ok && found && o.Disabled:
		if err := s.auditLoginFailure(ctx, badge, now, "disabled", nil); err != nil {
			return Officer{}, err
		}
		return Officer{}, ErrDisabled
	case ok && found:
		err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE officers SET failed_attempts = 0, locked_until = NULL, last_login_at = ? WHERE badge = ?`,
				now.UnixNano(), badge); err != nil {
				return fmt.Errorf("record login: %w", err)
			}
			_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Officer: badge, Action: ActionLogin, Subject: badge,
				Detail: AuditDetail(map[string]string{"role": o.Role})})
			return err
		})
		if err != nil {
			return Officer{}, fmt.Errorf("sqlitestore: authenticate %s: %w", badge, err)
		}
		o.LastLoginAt, o.LockedUntil = now.UTC(), time.Time{}
		return o, nil
	case !found:
		if err := s.auditLoginFailure(ctx, badge, now, "bad_credentials", nil); err != nil {
			return Officer{}, err
		}
		return Officer{}, ErrBadCredentials
	}
	// Wrong PIN on a real account: count it, lock on the MaxFailedLogins-th.
	var lockedUntil time.Time
	err = s.auditLoginFailure(ctx, badge, now, "bad_credentials", func(tx *sql.Tx) (map[string]any, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE officers SET failed_attempts = failed_attempts + 1 WHERE badge = ? RETURNING failed_attempts`,
			badge).Scan(&n); err != nil {
			return nil, fmt.Errorf("count failed login: %w", err)
		}
		if n < MaxFailedLogins {
			return map[string]any{"failures": n}, nil
		}
		lockedUntil = now.Add(LockoutDuration).UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE officers SET failed_attempts = 0, locked_until = ? WHERE badge = ?`,
			lockedUntil.UnixNano(), badge); err != nil {
			return nil, fmt.Errorf("lock account: %w", err)
		}
		return map[string]any{"failures": n, "locked_until": lockedUntil.Format(time.RFC3339)}, nil
	})
	if err != nil {
		return Officer{}, err
	}
	if !lockedUntil.IsZero() {
		s.log.Warn("officer account locked after failed logins", "badge", badge, "until", lockedUntil)
		return Officer{}, &LockedOutError{Badge: badge, Until: lockedUntil}
	}
	return Officer{}, ErrBadCredentials
}

// auditLoginFailure records a failed login in one transaction together with
// whatever update also runs (it returns extra audit detail). The badge tried
// is the subject; the officer field stays empty because nobody logged in.
func (s *Store) auditLoginFailure(ctx context.Context, badge string, now time.Time, reason string, also func(*sql.Tx) (map[string]any, error)) error {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		detail := map[string]any{}
		if also != nil {
			d, err := also(tx)
			if err != nil {
				return err
			}
			detail = d
		}
		detail["reason"] = reason
		_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionLoginFailed, Subject: badge, Detail: AuditDetail(detail)})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: authenticate %s: record failure: %w", badge, err)
	}
	return nil
}

// officerWithPIN reads an account and its PIN verifier.
func (s *Store) officerWithPIN(ctx context.Context, badge string) (Officer, pinHash, bool, error) {
	var h pinHash
	o, err := scanOfficer(s.read.QueryRowContext(ctx, `SELECT `+officerColumns+`, pin_algo, pin_iterations, pin_salt, pin_hash
		FROM officers WHERE badge = ?`, badge), &h.algo, &h.iterations, &h.salt, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Officer{}, pinHash{}, false, nil
	}
	if err != nil {
		return Officer{}, pinHash{}, false, fmt.Errorf("read officer: %w", err)
	}
	return o, h, true, nil
}
