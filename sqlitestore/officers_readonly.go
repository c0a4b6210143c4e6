package sqlitestore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// A store opened read-only (a supervisor's workstation) cannot write the
// failure count or the audit entry of a login. It still must not let PINs be
// guessed, so its failures are counted in this process: the same 5 failures
// lock the badge for 15 minutes, on top of any lock recorded in the database.

// maxMemoryLockouts bounds the in-process failure table; when full, entries
// whose lock ran out are dropped, and then the oldest.
const maxMemoryLockouts = 4096

type memoryFailure struct {
	count       int
	lockedUntil time.Time
	last        time.Time
}

var memoryLockouts = struct {
	sync.Mutex
	m map[string]*memoryFailure // key: database path + "\x00" + badge
}{m: map[string]*memoryFailure{}}

// signInReadOnly checks a sign-in without writing: disabled and locked
// accounts in the database are honoured, every rule of SignIn applies, and
// failures are counted in memory. Unknown badges are counted too, so they
// stay indistinguishable.
func (s *Store) signInReadOnly(ctx context.Context, badge string, req SignInRequest, now time.Time) (Session, error) {
	key := s.path + "\x00" + badge
	if until, locked := memoryLocked(key, now); locked {
		return Session{}, &LockedOutError{Badge: badge, Until: until}
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
	if found && now.Before(a.LockedUntil) {
		return Session{}, &LockedOutError{Badge: badge, Until: a.LockedUntil}
	}
	ok := false
	if found {
		pepper, err := s.pepperFor(a)
		if err != nil {
			return Session{}, fmt.Errorf("sqlitestore: sign in %s: %w", badge, err)
		}
		ok = a.hash.matches(req.PIN, pepper)
	} else {
		decoyPIN(s.pinIterations).matches(req.PIN, decoyPepper)
	}
	if ok {
		access, _, refusal, err := s.decide(ctx, a, req, now)
		if err != nil {
			return Session{}, fmt.Errorf("sqlitestore: sign in %s: %w", badge, err)
		}
		if refusal != nil {
			return Session{}, refusal
		}
		memoryForget(key)
		s.log.Info("officer signed in on a read-only store; the sign-in is not audited locally", "badge", badge)
		return Session{Officer: a.Officer, Access: access}, nil
	}
	if until, locked := memoryFail(key, now); locked {
		s.log.Warn("officer account locked in this process after failed logins", "until", until)
		return Session{}, &LockedOutError{Badge: badge, Until: until}
	}
	return Session{}, ErrBadCredentials
}

func memoryLocked(key string, now time.Time) (time.Time, bool) {
	memoryLockouts.Lock()
	defer memoryLockouts.Unlock()
	f := memoryLockouts.m[key]
	if f != nil && now.Before(f.lockedUntil) {
		return f.lockedUntil, true
	}
	return time.Time{}, false
}

func memoryForget(key string) {
	memoryLockouts.Lock()
	defer memoryLockouts.Unlock()
	delete(memoryLockouts.m, key)
}

// memoryFail counts one failure and reports whether it locked the badge.
func memoryFail(key string, now time.Time) (time.Time, bool) {
	memoryLockouts.Lock()
	defer memoryLockouts.Unlock()
	m := memoryLockouts.m
	f := m[key]
	if f == nil {
		if len(m) >= maxMemoryLockouts {
			evictMemoryLockouts(now)
		}
		f = &memoryFailure{}
		m[key] = f
	}
	f.count++
	f.last = now
	if f.count < MaxFailedLogins {
		return time.Time{}, false
	}
	f.count = 0
	f.lockedUntil = now.Add(LockoutDuration).UTC()
	return f.lockedUntil, true
}

// evictMemoryLockouts drops entries that are not locked, or else the one
// failed longest ago. Called with the lock held.
func evictMemoryLockouts(now time.Time) {
	m := memoryLockouts.m
	var oldestKey string
	var oldest time.Time
	for k, f := range m {
		if !now.Before(f.lockedUntil) {
			delete(m, k)
			continue
		}
		if oldestKey == "" || f.last.Before(oldest) {
			oldestKey, oldest = k, f.last
		}
	}
	if len(m) >= maxMemoryLockouts {
		delete(m, oldestKey)
	}
}
