// Package diskfull recognises a write that failed because the disk (or the
// database's size limit) is full, and keeps such failures from flooding the
// log: a booth on a full disk retries its writes every second, and an
// operator needs one clear line a minute, not sixty.
package diskfull

import (
	"errors"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull is matched (errors.Is) by every error Wrap returns.
var ErrDiskFull = errors.New("disk full")

// Is reports whether err is a disk-full failure: SQLite's SQLITE_FULL
// ("database or disk is full"), ENOSPC from the operating system, or an
// error Wrap already marked.
func Is(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL
}

// Wrap returns err marked as a disk-full failure when Is(err), else err
// unchanged. The result still unwraps to err.
func Wrap(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) || !Is(err) {
		return err
	}
	return &fullError{err: err}
}

// fullError is a disk-full failure. It also answers DiskFull() so a package
// that does not import this one can recognise it through an interface.
type fullError struct{ err error }

func (e *fullError) Error() string        { return "disk full: " + e.err.Error() }
func (e *fullError) Unwrap() error        { return e.err }
func (e *fullError) Is(target error) bool { return target == ErrDiskFull }
func (e *fullError) DiskFull() bool       { return true }

// Every is how often a continuing disk-full condition is logged.
const Every = time.Minute

// Log reports disk-full failures to a logger at most once per Every while
// the disk stays full, with how many failures it kept quiet, and says once
// when a write succeeds again. It is safe for concurrent use.
type Log struct {
	log *slog.Logger
	now func() time.Time

	mu         sync.Mutex
	full       bool      // a failure was seen and no write has succeeded since
	since      time.Time // first failure of this spell
	lastLogged time.Time
	suppressed int // failures not logged since lastLogged
	failures   int // failures in this spell
}

// NewLog returns a Log writing to log; now is its clock (nil: time.Now).
func NewLog(log *slog.Logger, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{log: log, now: now}
}

// Failed records a failed write. A disk-full err is logged (as an error
// naming op) unless one was logged less than Every ago, and Failed returns
// true; any other error is left to the caller and Failed returns false.
func (l *Log) Failed(op string, err error) bool {
	if !Is(err) {
		return false
	}
	l.mu.Lock()
	now := l.now()
	if !l.full {
		l.full, l.since, l.failures = true, now, 0
	}
	l.failures++
	if !l.lastLogged.IsZero() && now.Sub(l.lastLogged) < Every {
		l.suppressed++
		l.mu.Unlock()
		return true
	}
	suppressed, since, failures := l.suppressed, l.since, l.failures
	l.lastLogged, l.suppressed = now, 0
	l.mu.Unlock()
	l.log.Error("disk full: writes are failing until space is freed",
		"op", op, "err", err, "failing_since", since, "failures", failures, "suppressed_repeats", suppressed)
	return true
}

// Succeeded records a successful write: if the disk was full, it says so
// once, and the next disk-full failure is logged at once.
func (l *Log) Succeeded() {
	l.mu.Lock()
	if !l.full {
		l.mu.Unlock()
		return
	}
	since, failures, suppressed := l.since, l.failures, l.suppressed
	l.full, l.lastLogged, l.suppressed, l.failures = false, time.Time{}, 0, 0
	l.mu.Unlock()
	l.log.Info("disk space available again: writes succeed",
		"full_since", since, "failures", failures, "suppressed_repeats", suppressed)
}

// Full reports whether the last write recorded failed with the disk full.
func (l *Log) Full() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.full
}
