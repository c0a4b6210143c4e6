package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui"
)

// signInPolicy is how this workstation signs officers in: its kind, whether
// --read-only forces every session read-only, and how long cached port
// accounts are trusted. It remembers what each officer signed in here may
// do, so the crossing log can refuse an officer's events when the session
// is read-only.
type signInPolicy struct {
	Kind        records.WorkstationKind
	ReadOnly    bool
	MaxCacheAge time.Duration

	mu     sync.Mutex
	access map[string]records.Access // badge -> what its latest sign-in here granted
}

func newSignInPolicy(cfg Config) *signInPolicy {
	return &signInPolicy{Kind: records.WorkstationKind(cfg.Role), ReadOnly: cfg.ReadOnly,
		MaxCacheAge: cfg.AccountCacheMaxAge.Duration, access: map[string]records.Access{}}
}

func (p *signInPolicy) grant(badge string, a records.Access) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.access[badge] = a
}

// writes reports whether badge signed in here with write access.
func (p *signInPolicy) writes(badge string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.access[badge] == records.AccessWrite
}

// signIn signs an officer in through the store under the policy and words
// refusals as the TUI's errors.
func (p *signInPolicy) signIn(ctx context.Context, st *sqlitestore.Store, badge string, pin []byte, now time.Time) (tui.Officer, error) {
	sess, err := st.SignIn(ctx, sqlitestore.SignInRequest{Badge: badge, PIN: pin, Kind: p.Kind, ReadOnly: p.ReadOnly,
		MaxCacheAge: p.MaxCacheAge, Now: now})
	if err != nil {
		var lo *sqlitestore.LockedOutError
		switch {
		case errors.As(err, &lo):
			return tui.Officer{}, fmt.Errorf("%w until %s", tui.ErrLockedOut, lo.Until.Local().Format("15:04"))
		case errors.Is(err, sqlitestore.ErrBadCredentials):
			return tui.Officer{}, tui.ErrBadCredentials
		case errors.Is(err, sqlitestore.ErrDisabled):
			return tui.Officer{}, tui.ErrDisabled
		case errors.Is(err, sqlitestore.ErrNoRole):
			return tui.Officer{}, fmt.Errorf("%w (a %s workstation)", tui.ErrNoRole, p.Kind)
		case errors.Is(err, sqlitestore.ErrCacheExpired):
			return tui.Officer{}, tui.ErrCacheExpired
		case errors.Is(err, sqlitestore.ErrBreakGlassUnavailable):
			// Only while the cache has expired; until then it is no account.
			return tui.Officer{}, tui.ErrBadCredentials
		}
		return tui.Officer{}, fmt.Errorf("sign-in: %w", err)
	}
	p.grant(sess.Badge, sess.Access)
	return tui.Officer{Badge: sess.Badge, Name: sess.Name, Role: sess.Roles.String(), ReadOnly: sess.ReadOnly()}, nil
}

// errReadOnlySession is the error of an officer's write refused because
// the officer signed in read-only.
var errReadOnlySession = errors.New("signed in read-only: nothing is stored under this badge")

// officerLog is the crossing log's write handle as the screens get it:
// device and system events (no officer) pass, and an officer's events pass
// only when that officer signed in here with write access. A supervisor at
// a primary booth thus stores nothing under their badge even if a write
// key were bound; the lane's devices keep recording as the system.
type officerLog struct {
	next   tui.Log
	policy *signInPolicy
}

// Append refuses the whole call when any event is an officer's without
// write access.
func (l officerLog) Append(ctx context.Context, evs ...records.Event) ([]records.Event, error) {
	for _, ev := range evs {
		if ev.Officer != "" && !l.policy.writes(ev.Officer) {
			return nil, fmt.Errorf("%s: %w", ev.Officer, errReadOnlySession)
		}
	}
	return l.next.Append(ctx, evs...)
}
