package diskfull

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// records collects what a logger was given.
type records struct {
	mu   sync.Mutex
	msgs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec)
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func attr(rec slog.Record, key string) slog.Value {
	var v slog.Value
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}

func TestIs(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"other", errors.New("boom"), false},
		{"ENOSPC wrapped", fmt.Errorf("append: %w", enospc), true},
		{"marked", Wrap(fmt.Errorf("x: %w", enospc)), true},
		{"EIO", &os.PathError{Op: "write", Path: "/x", Err: syscall.EIO}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Is(tt.err); got != tt.want {
				t.Errorf("Is(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	w := Wrap(enospc)
	if !errors.Is(w, ErrDiskFull) || !errors.Is(w, syscall.ENOSPC) {
		t.Errorf("Wrap(ENOSPC) = %v: want both ErrDiskFull and ENOSPC to match", w)
	}
	var df interface{ DiskFull() bool }
	if !errors.As(fmt.Errorf("ctx: %w", w), &df) || !df.DiskFull() {
		t.Errorf("wrapped error does not answer DiskFull()")
	}
	if other := errors.New("boom"); Wrap(other) != other {
		t.Errorf("Wrap changed an error that is not disk full")
	}
	if Wrap(w) != w {
		t.Errorf("Wrap marked an already marked error twice")
	}
}

// A disk that stays full while a writer retries every second is logged
// once a minute, each line counting the failures it kept quiet; a write
// that succeeds is said once and ends the spell.
func TestLogOncePerMinute(t *testing.T) {
	h := &records{}
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	l := NewLog(slog.New(h), func() time.Time { return clock })
	full := Wrap(&os.PathError{Op: "write", Path: "/db", Err: syscall.ENOSPC})

	if l.Failed("append", errors.New("constraint failed")) {
		t.Fatal("Failed took an error that is not disk full")
	}
	for range 150 { // 150 s of one failure per second
		if !l.Failed("append", full) {
			t.Fatal("Failed did not take a disk-full error")
		}
		clock = clock.Add(time.Second)
	}
	if !l.Full() {
		t.Error("Full() = false while failing")
	}
	// Failures at t = 0, 60, 120 s are logged.
	if len(h.msgs) != 3 {
		t.Fatalf("%d log lines for 150 s of failures, want 3", len(h.msgs))
	}
	for i, want := range []int64{0, 59, 59} {
		rec := h.msgs[i]
		if rec.Level != slog.LevelError {
			t.Errorf("line %d level %v, want ERROR", i, rec.Level)
		}
		if got := attr(rec, "suppressed_repeats").Int64(); got != want {
			t.Errorf("line %d: suppressed_repeats %d, want %d", i, got, want)
		}
	}
	if got := attr(h.msgs[2], "failures").Int64(); got != 121 {
		t.Errorf("third line counts %d failures, want 121", got)
	}

	l.Succeeded()
	l.Succeeded() // nothing more to say
	if len(h.msgs) != 4 || h.msgs[3].Level != slog.LevelInfo {
		t.Fatalf("after a success: %d lines (want 4, the last INFO)", len(h.msgs))
	}
	if got := attr(h.msgs[3], "failures").Int64(); got != 150 {
		t.Errorf("recovery line counts %d failures, want 150", got)
	}
	if got := attr(h.msgs[3], "suppressed_repeats").Int64(); got != 29 {
		t.Errorf("recovery line: %d suppressed since the last line, want 29", got)
	}
	if l.Full() {
		t.Error("Full() after a success")
	}
	// A new spell is logged at once, however recent the last line.
	clock = clock.Add(time.Second)
	l.Failed("ack outbox", full)
	if len(h.msgs) != 5 || attr(h.msgs[4], "op").String() != "ack outbox" {
		t.Fatalf("a new disk-full spell was not logged at once (%d lines)", len(h.msgs))
	}
}
