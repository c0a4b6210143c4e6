package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Port accounts (docs/security.md): managed once per port at the port
// server (`portserver officer add|list|disable`), hashed there with the
// port pepper, and sent down the feed to every workstation as cached
// verifiers, together with the pepper (over mutual TLS). Disables and
// lockouts travel down the same way: every change gives the account a new
// version, and a workstation asks for the accounts changed after the last
// version it applied.

// PortAccount is a port account as the feed carries it (records.PortAccount).
type PortAccount = records.PortAccount

// validatePortAccount checks an account received from the feed.
func validatePortAccount(a PortAccount) error {
	if !validBadge(a.Badge) {
		return fmt.Errorf("badge %q is not a badge", a.Badge)
	}
	if a.Name == "" || len(a.Name) > 100 {
		return fmt.Errorf("account %s: name must be 1-100 characters", a.Badge)
	}
	if err := checkField("name", a.Name); err != nil {
		return fmt.Errorf("account %s: %w", a.Badge, err)
	}
	if _, err := records.ParseRoles(a.Roles); err != nil {
		return fmt.Errorf("account %s: %w", a.Badge, err)
	}
	if a.PINAlgo != argonAlgo || len(a.PINSalt) == 0 || len(a.PINSalt) > 64 || len(a.PINHash) != pinHashLen {
		return fmt.Errorf("account %s: not an argon2id verifier", a.Badge)
	}
	if a.Version <= 0 {
		return fmt.Errorf("account %s: version %d is not positive", a.Badge, a.Version)
	}
	return nil
}

// AddPortAccount registers a port account at the port server: an argon2id
// verifier with the port pepper (made at the first use, 0600 beside the
// database). The addition is audited and reaches every workstation with
// the feed.
func (s *Store) AddPortAccount(ctx context.Context, n NewOfficer) error {
	if s.readOnly || s.write == nil {
		return ErrReadOnly
	}
	if n.BreakGlass {
		return fmt.Errorf("sqlitestore: add port account: %w: break-glass accounts are local to one workstation", ErrInvalidOfficer)
	}
	badge, name, roles, err := n.normalize()
	if err != nil {
		return fmt.Errorf("sqlitestore: add port account: %w", err)
	}
	pepper, err := s.portPepper(true)
	if err != nil {
		return fmt.Errorf("sqlitestore: add port account %s: %w", badge, err)
	}
	h, err := newArgonHash(n.PIN, pepper, argonCostFor(s.pinIterations))
	if err != nil {
		return fmt.Errorf("sqlitestore: add port account %s: %w", badge, err)
	}
	now := time.Now()
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		v, err := nextAccountVersion(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO port_accounts (badge, name, roles, pin_algo, pin_iterations, pin_memory,
			pin_threads, pin_salt, pin_hash, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			badge, name, roles.String(), h.algo, h.iterations, h.memory, h.threads, h.salt, h.hash, now.UnixNano(), v); err != nil {
			if isSQLiteUniqueViolation(err) {
				return ErrOfficerExists
			}
			return fmt.Errorf("insert: %w", err)
		}
		_, err = s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionOfficerAdd, Subject: badge,
			Detail: AuditDetail(map[string]string{"name": name, "roles": roles.String(), "source": SourcePort})})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: add port account %s: %w", badge, err)
	}
	s.log.Info("port account added", "badge", badge, "roles", roles.String())
	return nil
}

func nextAccountVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM port_accounts`).Scan(&v); err != nil {
		return 0, fmt.Errorf("next account version: %w", err)
	}
	return v, nil
}

// DisablePortAccount disables a port account at the port server; the
// disable reaches every workstation with the feed. Disabling a disabled
// account is a no-op.
func (s *Store) DisablePortAccount(ctx context.Context, badge string) error {
	return s.disableAccount(ctx, "port account", "port_accounts", SourcePort, badge, func(tx *sql.Tx, badge string, at int64) error {
		// A new version, so the disable reaches workstations with the feed.
		v, err := nextAccountVersion(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE port_accounts SET disabled_at = ?, version = ? WHERE badge = ?`, at, v, badge)
		return wrapUpdate(err)
	})
}

// ListPortAccounts returns the port accounts, by badge.
func (s *Store) ListPortAccounts(ctx context.Context) ([]Officer, error) {
	all, err := s.ListOfficers(ctx)
	if err != nil {
		return nil, err
	}
	var out []Officer
	for _, o := range all {
		if o.Source == SourcePort {
			out = append(out, o)
		}
	}
	return out, nil
}

// PortAccountsSince returns the port accounts changed after version, by
// version, and the highest version stored (for the feed).
func (s *Store) PortAccountsSince(ctx context.Context, after int64) ([]PortAccount, int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT badge, name, roles, pin_algo, pin_iterations, pin_memory, pin_threads,
		pin_salt, pin_hash, created_at, disabled_at, locked_until, version FROM port_accounts WHERE version > ? ORDER BY version`, after)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlitestore: port accounts: %w", err)
	}
	defer rows.Close()
	var out []PortAccount
	top := after
	for rows.Next() {
		var a PortAccount
		var created int64
		var disabled, locked sql.NullInt64
		if err := rows.Scan(&a.Badge, &a.Name, &a.Roles, &a.PINAlgo, &a.PINTime, &a.PINMemory, &a.PINThreads,
			&a.PINSalt, &a.PINHash, &created, &disabled, &locked, &a.Version); err != nil {
			return nil, 0, fmt.Errorf("sqlitestore: port accounts: %w", err)
		}
		a.CreatedAt = time.Unix(0, created).UTC()
		a.DisabledAt, a.LockedUntil = decodeTime(disabled), decodeTime(locked)
		top = max(top, a.Version)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlitestore: port accounts: %w", err)
	}
	return out, top, nil
}

// PortPepper is the port pepper the server hands to workstations over
// mutual TLS; the server makes it at the first call.
func (s *Store) PortPepper() ([]byte, error) { return s.portPepper(true) }

// AccountsUpdate is what a workstation received (records.AccountsUpdate).
type AccountsUpdate = records.AccountsUpdate

// AccountVersion is the highest port account version this workstation
// applied (0 before the first delivery).
func (s *Store) AccountVersion(ctx context.Context) (int64, error) {
	c, err := s.AccountCache(ctx)
	return c.Version, err
}

// ApplyPortAccounts stores what the port server sent: the pepper into its
// file first (so no stored verifier is ever without it), then the accounts
// and the cache's version and time in one transaction. An account's own
// columns (this workstation's failure count, lock and last sign-in) are
// kept. Nothing is applied if any account is malformed.
func (s *Store) ApplyPortAccounts(ctx context.Context, u AccountsUpdate) (int, error) {
	if s.readOnly || s.write == nil {
		return 0, ErrReadOnly
	}
	for _, a := range u.Accounts {
		if err := validatePortAccount(a); err != nil {
			return 0, fmt.Errorf("sqlitestore: apply port accounts: %w", err)
		}
	}
	if u.Pepper != nil {
		if err := writePepper(PortPepperPath(s.path), u.Pepper); err != nil {
			return 0, fmt.Errorf("sqlitestore: apply port accounts: %w", err)
		}
	}
	heard := u.HeardAt
	if heard.IsZero() {
		heard = time.Now()
	}
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var top int64
		for _, a := range u.Accounts {
			disabled, err := encodeTime(a.DisabledAt)
			if err != nil {
				return fmt.Errorf("account %s: disabled_at: %w", a.Badge, err)
			}
			locked, err := encodeTime(a.LockedUntil)
			if err != nil {
				return fmt.Errorf("account %s: locked_until: %w", a.Badge, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO port_accounts (badge, name, roles, pin_algo, pin_iterations, pin_memory,
				pin_threads, pin_salt, pin_hash, created_at, disabled_at, locked_until, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (badge) DO UPDATE SET name = excluded.name, roles = excluded.roles, pin_algo = excluded.pin_algo,
					pin_iterations = excluded.pin_iterations, pin_memory = excluded.pin_memory, pin_threads = excluded.pin_threads,
					pin_salt = excluded.pin_salt, pin_hash = excluded.pin_hash, created_at = excluded.created_at,
					disabled_at = excluded.disabled_at, locked_until = excluded.locked_until, version = excluded.version
				WHERE excluded.version > port_accounts.version`,
				a.Badge, a.Name, a.Roles, a.PINAlgo, a.PINTime, a.PINMemory, a.PINThreads, a.PINSalt, a.PINHash,
				nanos(a.CreatedAt), disabled, locked, a.Version); err != nil {
				return fmt.Errorf("account %s: %w", a.Badge, err)
			}
			top = max(top, a.Version)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO account_sync (singleton, version, heard_at) VALUES (1, ?, ?)
			ON CONFLICT (singleton) DO UPDATE SET version = max(version, excluded.version), heard_at = max(heard_at, excluded.heard_at)`,
			top, heard.UnixNano())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: apply port accounts: %w", err)
	}
	return len(u.Accounts), nil
}

// RecordPortSignIns counts, at the port server, the sign-ins with port
// accounts that workstations report in their replicated audit chains: a
// failed one (wrong PIN) adds to the account's port-wide count, a
// successful one clears it. On the MaxFailedLogins-th consecutive failure
// the account is locked port-wide until the failure's time plus
// LockoutDuration, audited, and the lock reaches every workstation with the
// account feed. Each entry counts once, however often it is resent; entries
// about badges that are not port accounts are ignored. It returns the
// badges it locked.
func (s *Store) RecordPortSignIns(ctx context.Context, entries []records.AuditEntry) ([]string, error) {
	if s.readOnly || s.write == nil {
		return nil, ErrReadOnly
	}
	var relevant []records.AuditEntry
	for _, e := range entries {
		if portSignIn(e) != 0 {
			relevant = append(relevant, e)
		}
	}
	if len(relevant) == 0 {
		return nil, nil
	}
	var locked []string
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		locked = locked[:0]
		for _, e := range relevant {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO port_signin_seen (audit_id) VALUES (?)`, e.ID)
			if err != nil {
				return fmt.Errorf("note entry %s: %w", e.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // counted when it first arrived
			}
			if portSignIn(e) > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE port_accounts SET failed_attempts = 0 WHERE badge = ?`, e.Officer); err != nil {
					return fmt.Errorf("reset failures of %s: %w", e.Officer, err)
				}
				continue
			}
			lock, err := s.countPortFailure(ctx, tx, e.Subject, e.At)
			if err != nil {
				return err
			}
			if lock {
				locked = append(locked, e.Subject)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: record port sign-ins: %w", err)
	}
	return locked, nil
}

// portSignIn classifies an audit entry: 1 a successful sign-in with a port
// account, -1 a wrong PIN on one, 0 anything else (an unknown badge, a
// lock, a refusal after the right PIN).
func portSignIn(e records.AuditEntry) int {
	var d struct {
		Source string `json:"source"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(e.Detail, &d) != nil || d.Source != SourcePort {
		return 0
	}
	switch {
	case e.Action == ActionLogin && e.Officer != "":
		return 1
	case e.Action == ActionLoginFailed && d.Reason == "bad_credentials" && e.Subject != UnknownBadge:
		return -1
	}
	return 0
}

// countPortFailure adds one failure to a port account's port-wide count and
// locks it on the MaxFailedLogins-th.
func (s *Store) countPortFailure(ctx context.Context, tx *sql.Tx, badge string, at time.Time) (locked bool, err error) {
	var n int
	err = tx.QueryRowContext(ctx, `UPDATE port_accounts SET failed_attempts = failed_attempts + 1 WHERE badge = ? RETURNING failed_attempts`,
		badge).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("count port login failure %s: %w", badge, err)
	}
	if n < MaxFailedLogins {
		return false, nil
	}
	v, err := nextAccountVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	until := at.Add(LockoutDuration).UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE port_accounts SET failed_attempts = 0, locked_until = ?, version = ? WHERE badge = ?`,
		until.UnixNano(), v, badge); err != nil {
		return false, fmt.Errorf("lock port account %s: %w", badge, err)
	}
	if _, err := s.auditTx(ctx, tx, AuditEntry{At: time.Now(), Action: ActionPortAccountLock, Subject: badge,
		Detail: AuditDetail(map[string]any{"failures": n, "locked_until": until.Format(time.RFC3339)})}); err != nil {
		return false, err
	}
	s.log.Warn("port account locked after failed sign-ins across the port", "badge", badge, "until", until)
	return true, nil
}

// OfficerWrites reports whether badge is a port account and, if so,
// whether it holds a writing role. The port server refuses any event whose
// officer is an account without one, whatever the certificate.
func (s *Store) OfficerWrites(ctx context.Context, badge string) (known, writes bool, err error) {
	var roles string
	err = s.read.QueryRowContext(ctx, `SELECT roles FROM port_accounts WHERE badge = ?`, badge).Scan(&roles)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("sqlitestore: officer %s: %w", badge, err)
	}
	rs, err := records.ParseRoles(roles)
	if err != nil {
		return true, false, fmt.Errorf("sqlitestore: officer %s: %w", badge, err)
	}
	return true, rs.Writes(), nil
}
