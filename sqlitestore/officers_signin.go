package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// DefaultAccountCacheMaxAge is how long a workstation trusts its cached
// port accounts without hearing from the port server.
const DefaultAccountCacheMaxAge = 72 * time.Hour

// SignInRequest is one sign-in attempt at a workstation.
type SignInRequest struct {
	Badge string
	PIN   []byte
	// Kind is the workstation's kind; the account needs a role for it
	// (records.SignInAccess). Empty skips the role rule: the officer then
	// writes when the account has a writing role.
	Kind records.WorkstationKind
	// ReadOnly forces a read-only session (`booth --read-only`).
	ReadOnly bool
	// MaxCacheAge is account_cache_max_age; 0 means the default, 72 h.
	MaxCacheAge time.Duration
	// Now is the time of the attempt; zero means time.Now().
	Now time.Time
}

// Session is a successful sign-in.
type Session struct {
	Officer
	// Access is AccessWrite or AccessReadOnly.
	Access records.Access
}

// ReadOnly reports whether the session may not write.
func (s Session) ReadOnly() bool { return s.Access != records.AccessWrite }

// AccountCache is how current this workstation's copy of the port accounts
// is.
type AccountCache struct {
	// Version is the highest account version applied from the feed.
	Version int64
	// HeardAt is the last time the port server answered with accounts;
	// zero when it never has (an offline-only workstation: there is no
	// cache to expire, and local accounts sign in).
	HeardAt time.Time
}

// Expired reports whether the cache is older than maxAge at now.
func (c AccountCache) Expired(now time.Time, maxAge time.Duration) bool {
	if maxAge <= 0 {
		maxAge = DefaultAccountCacheMaxAge
	}
	return !c.HeardAt.IsZero() && now.Sub(c.HeardAt) > maxAge
}

// AccountCache reads the state of the account cache.
func (s *Store) AccountCache(ctx context.Context) (AccountCache, error) {
	var c AccountCache
	var heard int64
	err := s.read.QueryRowContext(ctx, `SELECT version, heard_at FROM account_sync WHERE singleton = 1`).Scan(&c.Version, &heard)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("sqlitestore: account cache: %w", err)
	}
	c.HeardAt = time.Unix(0, heard).UTC()
	return c, nil
}

// signInAccount is an account as a sign-in reads it.
type signInAccount struct {
	Officer
	hash pinHash
}

// accountForSignIn reads the account behind badge: the port account when
// there is one (it wins), else the local one.
func (s *Store) accountForSignIn(ctx context.Context, badge string) (signInAccount, bool, error) {
	const cols = `, pin_algo, pin_iterations, pin_memory, pin_threads, pin_salt, pin_hash`
	for _, q := range []string{
		`SELECT ` + portOfficerColumns + cols + ` FROM port_accounts WHERE badge = ?`,
		`SELECT ` + localOfficerColumns + cols + ` FROM officers WHERE badge = ?`,
	} {
		var a signInAccount
		h := &a.hash
		o, err := scanOfficer(s.read.QueryRowContext(ctx, q, badge), &h.algo, &h.iterations, &h.memory, &h.threads, &h.salt, &h.hash)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return signInAccount{}, false, fmt.Errorf("read account: %w", err)
		}
		a.Officer = o
		return a, true, nil
	}
	return signInAccount{}, false, nil
}

// pepperFor is the pepper the account's verifier was made with: the port's
// for port accounts, the workstation's for local ones.
func (s *Store) pepperFor(a signInAccount) ([]byte, error) {
	if a.Source == SourcePort {
		return s.portPepper(false)
	}
	return s.workstationPepper()
}

// decide applies the rules that follow a correct PIN: disabled accounts,
// the account cache's age, break-glass, and the role for the workstation's
// kind. It returns the access granted, or the audit reason and the error of
// a refusal.
func (s *Store) decide(ctx context.Context, a signInAccount, req SignInRequest, now time.Time) (records.Access, string, error, error) {
	if a.Disabled {
		return records.AccessRefused, "disabled", ErrDisabled, nil
	}
	cache, err := s.AccountCache(ctx)
	if err != nil {
		return records.AccessRefused, "", nil, err
	}
	expired := cache.Expired(now, req.MaxCacheAge)
	switch {
	case a.BreakGlass && !expired:
		return records.AccessRefused, "break_glass_unavailable", ErrBreakGlassUnavailable, nil
	case !a.BreakGlass && expired:
		return records.AccessRefused, "account_cache_expired", ErrCacheExpired, nil
	}
	var access records.Access
	if req.Kind == "" {
		access = records.AccessReadOnly
		if a.Roles.Writes() && !req.ReadOnly {
			access = records.AccessWrite
		}
	} else {
		access = records.SignInAccess(a.Roles, req.Kind, req.ReadOnly)
	}
	if access == records.AccessRefused {
		return access, "no_role", ErrNoRole, nil
	}
	return access, "", nil, nil
}

// Authenticate checks a badge and PIN at time now without a workstation
// kind (see SignIn) and returns the officer.
func (s *Store) Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error) {
	sess, err := s.SignIn(ctx, SignInRequest{Badge: badge, PIN: pin, Now: now})
	return sess.Officer, err
}

// SignIn checks a sign-in attempt and audits it. The account is the port
// account with that badge, else the local one. It returns the session on
// success; ErrBadCredentials for an unknown badge or a wrong PIN
// (indistinguishable, also in time; an unknown badge is audited as
// UnknownBadge, never as typed); a *LockedOutError (matching ErrLockedOut)
// while the account is locked, including on the failure that locks it; and
// for a correct PIN ErrDisabled, ErrCacheExpired (the workstation has not
// heard from the port server for MaxCacheAge: only break-glass accounts
// sign in), ErrBreakGlassUnavailable (the cache is current) or ErrNoRole
// (no role for the workstation's kind). A success clears the failure count
// and re-hashes a legacy PBKDF2 verifier as argon2id. On a read-only store
// nothing is written: failures are counted in this process and nothing is
// audited locally.
func (s *Store) SignIn(ctx context.Context, req SignInRequest) (Session, error) {
	badge := NormalizeBadge(req.Badge)
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	if s.readOnly || s.write == nil {
		return s.signInReadOnly(ctx, badge, req, now)
	}
	var (
		a     signInAccount
		found bool
		err   error
	)
	if validBadge(badge) {
		if a, found, err = s.accountForSignIn(ctx, badge); err != nil {
			return Session{}, fmt.Errorf("sqlitestore: sign in: %w", err)
		}
	}
	if !found {
		// Same cost and answer as a wrong PIN; the audit does not copy what
		// was typed (it may be a PIN typed into the badge field).
		decoyPIN(s.pinIterations).matches(req.PIN, decoyPepper)
		if err := s.auditLoginFailure(ctx, UnknownBadge, now, "bad_credentials", nil); err != nil {
			return Session{}, err
		}
		return Session{}, ErrBadCredentials
	}
	if now.Before(a.LockedUntil) {
		if err := s.auditLoginFailure(ctx, badge, now, "locked", map[string]any{"source": a.Source}); err != nil {
			return Session{}, err
		}
		return Session{}, &LockedOutError{Badge: badge, Until: a.LockedUntil}
	}
	pepper, err := s.pepperFor(a)
	if err != nil {
		return Session{}, fmt.Errorf("sqlitestore: sign in %s: %w", badge, err)
	}
	if !a.hash.matches(req.PIN, pepper) { // slow: outside any transaction
		return Session{}, s.countFailure(ctx, a, now)
	}
	access, reason, refusal, err := s.decide(ctx, a, req, now)
	if err != nil {
		return Session{}, fmt.Errorf("sqlitestore: sign in %s: %w", badge, err)
	}
	if refusal != nil {
		if err := s.auditLoginFailure(ctx, badge, now, reason, map[string]any{"source": a.Source}); err != nil {
			return Session{}, err
		}
		return Session{}, refusal
	}
	var upgrade *pinHash
	if a.Source == SourceLocal && a.hash.legacy() {
		h, err := newArgonHash(req.PIN, pepper, argonCostFor(s.pinIterations))
		if err != nil {
			return Session{}, fmt.Errorf("sqlitestore: sign in %s: upgrade PIN hash: %w", badge, err)
		}
		upgrade = &h
	}
	table, lockCol := accountTable(a.Source)
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET failed_attempts = 0, `+lockCol+` = NULL, last_login_at = ? WHERE badge = ?`,
			now.UnixNano(), badge); err != nil {
			return fmt.Errorf("record login: %w", err)
		}
		if upgrade != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE officers SET pin_algo = ?, pin_iterations = ?, pin_memory = ?, pin_threads = ?,
				pin_salt = ?, pin_hash = ? WHERE badge = ?`, upgrade.algo, upgrade.iterations, upgrade.memory, upgrade.threads,
				upgrade.salt, upgrade.hash, badge); err != nil {
				return fmt.Errorf("upgrade PIN hash: %w", err)
			}
		}
		d := map[string]any{"roles": a.Roles.String(), "source": a.Source, "access": access.String()}
		if req.Kind != "" {
			d["kind"] = string(req.Kind)
		}
		if upgrade != nil {
			d["pin_hash_upgraded"] = true
		}
		action := ActionLogin
		if a.BreakGlass {
			action = ActionLoginBreakGlass
		}
		_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Officer: badge, Action: action, Subject: badge, Detail: AuditDetail(d)})
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("sqlitestore: sign in %s: %w", badge, err)
	}
	if a.BreakGlass {
		s.log.Warn("break-glass sign-in: the account cache had expired", "badge", badge)
	}
	a.LastLoginAt, a.LockedUntil = now.UTC(), time.Time{}
	return Session{Officer: a.Officer, Access: access}, nil
}

// accountTable names the table of an account's source and its column for
// this database's own lock.
func accountTable(source string) (table, lockCol string) {
	if source == SourcePort {
		return "port_accounts", "local_locked_until"
	}
	return "officers", "locked_until"
}

// countFailure records a wrong PIN on a real account and locks it on the
// MaxFailedLogins-th. It returns the error for the caller.
func (s *Store) countFailure(ctx context.Context, a signInAccount, now time.Time) error {
	table, lockCol := accountTable(a.Source)
	var lockedUntil time.Time
	err := s.auditLoginFailure(ctx, a.Badge, now, "bad_credentials", nil, func(tx *sql.Tx) (map[string]any, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE `+table+` SET failed_attempts = failed_attempts + 1 WHERE badge = ? RETURNING failed_attempts`,
			a.Badge).Scan(&n); err != nil {
			return nil, fmt.Errorf("count failed login: %w", err)
		}
		d := map[string]any{"failures": n, "source": a.Source}
		if n < MaxFailedLogins {
			return d, nil
		}
		lockedUntil = now.Add(LockoutDuration).UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET failed_attempts = 0, `+lockCol+` = ? WHERE badge = ?`,
			lockedUntil.UnixNano(), a.Badge); err != nil {
			return nil, fmt.Errorf("lock account: %w", err)
		}
		d["locked_until"] = lockedUntil.Format(time.RFC3339)
		return d, nil
	})
	if err != nil {
		return err
	}
	if !lockedUntil.IsZero() {
		s.log.Warn("officer account locked after failed logins", "badge", a.Badge, "until", lockedUntil)
		return &LockedOutError{Badge: a.Badge, Until: lockedUntil}
	}
	return ErrBadCredentials
}

// auditLoginFailure records a failed login in one transaction together with
// whatever update also runs (it returns extra audit detail). The subject is
// the badge tried when it is an account, UnknownBadge otherwise; the
// officer field stays empty because nobody signed in.
func (s *Store) auditLoginFailure(ctx context.Context, subject string, now time.Time, reason string, detail map[string]any, also ...func(*sql.Tx) (map[string]any, error)) error {
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		d := map[string]any{}
		for k, v := range detail {
			d[k] = v
		}
		for _, f := range also {
			more, err := f(tx)
			if err != nil {
				return err
			}
			for k, v := range more {
				d[k] = v
			}
		}
		d["reason"] = reason
		_, err := s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionLoginFailed, Subject: subject, Detail: AuditDetail(d)})
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: sign in: record failure: %w", err)
	}
	return nil
}
