package main

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
	"github.com/portofentry/booth/tui"
)

// The TUI declares what it needs (tui.Log, tui.Faces, tui.Biometrics); these
// adapters give it the booth's SQLite store, biometric store and face
// matcher client, translating their errors into the TUI's.

// appender is what the crossing log adapter needs of the store.
type appender interface {
	Append(ctx context.Context, evs ...records.Event) ([]records.Event, error)
}

// crossingLog is the TUI's crossing log over the store: a full disk comes
// back as tui.ErrDiskFull, and after each durable append notify (when set)
// wakes the replication sender.
type crossingLog struct {
	store  appender
	notify func()
}

var _ tui.Log = crossingLog{}

// Append appends through the store.
func (l crossingLog) Append(ctx context.Context, evs ...records.Event) ([]records.Event, error) {
	out, err := l.store.Append(ctx, evs...)
	if err != nil {
		if diskFull(err) {
			return nil, diskFullError{err}
		}
		return nil, err
	}
	if l.notify != nil {
		l.notify()
	}
	return out, nil
}

// diskFullError marks a store error as tui.ErrDiskFull without changing
// its text.
type diskFullError struct{ err error }

func (e diskFullError) Error() string        { return e.err.Error() }
func (e diskFullError) Unwrap() error        { return e.err }
func (e diskFullError) Is(target error) bool { return target == tui.ErrDiskFull }

// diskFull reports a write that failed for want of space (the store marks
// SQLITE_FULL and ENOSPC as sqlitestore.ErrDiskFull).
func diskFull(err error) bool { return errors.Is(err, sqlitestore.ErrDiskFull) }

// matcher is the TUI's face matcher over the matcher's HTTP client.
type matcher struct{ c *facematch.Client }

var _ tui.Faces = matcher{}

// Verify asks the matcher about one document.
func (f matcher) Verify(ctx context.Context, lane string, doc records.DocumentRef) tui.FaceVerification {
	v := f.c.Verify(ctx, lane, doc)
	return tui.FaceVerification{Result: v.Result, Score: v.Score, Threshold: v.Threshold, CaptureID: v.CaptureID,
		CapturedAt: v.CapturedAt, Detail: v.Detail}
}

// Capture fetches and decodes the live capture.
func (f matcher) Capture(ctx context.Context, id string) ([]byte, image.Image, error) {
	b, err := f.c.Capture(ctx, id)
	if err != nil {
		return nil, nil, imageErr(err)
	}
	img, err := facematch.DecodePNG(b)
	if err != nil {
		return nil, nil, err
	}
	return b, img, nil
}

// Gallery fetches and decodes the photo on file.
func (f matcher) Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error) {
	b, err := f.c.Gallery(ctx, doc)
	if err != nil {
		return nil, imageErr(err)
	}
	return facematch.DecodePNG(b)
}

func imageErr(err error) error {
	if errors.Is(err, facematch.ErrNotFound) {
		return fmt.Errorf("%w: %w", tui.ErrNoImage, err)
	}
	return err
}

// biometrics is the TUI's biometric store over the booth's.
type biometrics struct{ b *biometric.Store }

var _ tui.Biometrics = biometrics{}

// SaveCapture keeps a live capture under its retention class.
func (s biometrics) SaveCapture(ctx context.Context, c tui.FaceCapture) error {
	return s.b.SaveCapture(ctx, biometric.Capture{ID: c.ID, CrossingID: c.CrossingID, Document: c.Document,
		PNG: c.PNG, CapturedAt: c.CapturedAt, Citizenship: biometric.CitizenshipStatus(c.Citizenship)})
}

// MarkCitizenship re-files a capture under another retention class.
func (s biometrics) MarkCitizenship(ctx context.Context, id string, class tui.Citizenship) error {
	return s.b.MarkCitizenship(ctx, id, biometric.CitizenshipStatus(class))
}
