package tui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

type faceDone struct {
	docKey     string
	doc        records.DocumentRef
	captureID  string
	capturedAt time.Time
}

type historyMsg struct {
	crossingID string
	subject    string
	// lookup is what was looked up, as audited: "document:UTO/L898902C3",
	// "name:ERIKSSON/1974-08-12", "plate:US-AZ/ABC123".
	lookup  string
	entries []HistoryEntry
	err     error
}

type faceImagesMsg struct {
	crossingID   string
	docKey       string
	live, onFile image.Image
	// stored is the retention class the live capture was kept under in
	// the biometric store, "" when it was not kept.
	stored Citizenship
	err    error
}

type refStatusMsg struct {
	status RefStatus
	err    error
}

// tagCmd resolves an RFID card in the reference data and records the read
// (after the crossing's opening while it is not stored).
func (m *Model) tagCmd(crossingID string, read records.RFIDRead, at time.Time) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.c.cfg.LookupTimeout, m.ctx
	open := m.carry(crossingID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		enr, err := lookups.Enrollment(ctx, read.EPC)
		if err != nil {
			// Record the read anyway: the card was in the lane.
			enr = nil
		}
		read.Enrollment = enr
		ev, berr := records.NewEvent(crossingID, read, at, "")
		if berr != nil {
			return failedMsg{crossingID: crossingID, what: "card read NOT saved", err: berr, carried: open != nil, write: true}
		}
		stored, aerr := log.Append(ctx, withOpening(open, []records.Event{ev})...)
		if aerr != nil {
			return failedMsg{crossingID: crossingID, what: "card read NOT saved", err: aerr, carried: open != nil, write: true}
		}
		done := appendedMsg{crossingID: crossingID, events: stored}
		if err != nil {
			return tea.BatchMsg{
				func() tea.Msg { return done },
				func() tea.Msg {
					return failedMsg{crossingID: crossingID, what: "resolve card " + read.EPC, err: err}
				},
			}
		}
		return done
	}
}

// checkTravelerCmd checks a traveller against the reference data and records
// the result.
func (m *Model) checkTravelerCmd(crossingID string, t records.Traveler) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.c.cfg.LookupTimeout, m.ctx
	open := m.carry(crossingID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		rc, err := lookups.CheckTraveler(ctx, t)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "reference check of " + t.DisplayName(), err: err, carried: open != nil}
		}
		return appendChecked(ctx, log, crossingID, rc, open)
	}
}

func (m *Model) checkPlateCmd(crossingID, region, plate string) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.c.cfg.LookupTimeout, m.ctx
	open := m.carry(crossingID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		rc, err := lookups.CheckPlate(ctx, region, plate)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "plate check " + region + "/" + plate, err: err, carried: open != nil}
		}
		return appendChecked(ctx, log, crossingID, rc, open)
	}
}

func appendChecked(ctx context.Context, log Log, crossingID string, rc records.ReferenceChecked, open *records.Event) tea.Msg {
	ev, err := records.NewEvent(crossingID, rc, time.Now(), "")
	if err != nil {
		return failedMsg{crossingID: crossingID, what: "reference check NOT saved", err: err, carried: open != nil, write: true}
	}
	stored, err := log.Append(ctx, withOpening(open, []records.Event{ev})...)
	if err != nil {
		return failedMsg{crossingID: crossingID, what: "reference check NOT saved", err: err, carried: open != nil, write: true}
	}
	return appendedMsg{crossingID: crossingID, events: stored}
}

func (m *Model) travelerHistoryCmd(crossingID, subject string, t records.Traveler) tea.Cmd {
	lookups, timeout, ctx, limit := m.deps.Lookups, m.c.cfg.LookupTimeout, m.ctx, m.c.cfg.HistoryLimit
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		h, err := lookups.TravelerHistory(ctx, t, limit+1)
		return historyMsg{crossingID: crossingID, subject: subject, lookup: travelerLookup(t), entries: h, err: err}
	}
}

func (m *Model) plateHistoryCmd(crossingID, subject, region, plate string) tea.Cmd {
	lookups, timeout, ctx, limit := m.deps.Lookups, m.c.cfg.LookupTimeout, m.ctx, m.c.cfg.HistoryLimit
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		h, err := lookups.PlateHistory(ctx, region, plate, limit+1)
		return historyMsg{crossingID: crossingID, subject: subject, lookup: "plate:" + region + "/" + plate, entries: h, err: err}
	}
}

// travelerLookup is a traveller's history look-up as audited: by document
// once one is known, else by name and birth date.
func travelerLookup(t records.Traveler) string {
	if !t.Document.IsZero() {
		return "document:" + t.Document.Key()
	}
	return "name:" + t.Surname + "/" + t.BirthDate
}

// faceCmd asks the matcher about one document and records the verdict
// ("unavailable — verify manually" when the matcher failed). withRef says
// whether the capture may be referenced from the record (a known
// non-citizen's); otherwise the reference stays out of the event log.
func (m *Model) faceCmd(crossingID string, doc records.DocumentRef, withRef bool) tea.Cmd {
	faces, log, ctx := m.deps.Faces, m.deps.Log, m.ctx
	lane, faceTimeout, timeout := m.c.cfg.Lane, m.c.cfg.FaceTimeout, m.c.cfg.LookupTimeout
	open := m.carry(crossingID)
	return func() tea.Msg {
		vctx, cancel := context.WithTimeout(ctx, faceTimeout)
		v := faces.Verify(vctx, lane, doc)
		cancel()
		fv := records.FaceVerified{Document: doc, Result: v.Result, Score: v.Score, Threshold: v.Threshold,
			CapturedAt: v.CapturedAt, Detail: v.Detail}
		if withRef && v.Result != records.FaceUnavailable {
			fv.CaptureRef = v.CaptureID
		}
		ev, err := records.NewEvent(crossingID, fv, time.Now(), "")
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "face result NOT saved", err: err, carried: open != nil, write: true}
		}
		actx, acancel := context.WithTimeout(ctx, timeout)
		defer acancel()
		stored, err := log.Append(actx, withOpening(open, []records.Event{ev})...)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "face result NOT saved", err: err, carried: open != nil, write: true}
		}
		msg := appendedMsg{crossingID: crossingID, events: stored}
		if v.Result != records.FaceUnavailable {
			msg.face = &faceDone{docKey: doc.Key(), doc: doc, captureID: v.CaptureID, capturedAt: v.CapturedAt}
		}
		return msg
	}
}

// faceImagesCmd fetches the live capture and the photo on file for display,
// and keeps the live capture in the biometric store under the retention
// class of the traveller's citizenship.
func (m *Model) faceImagesCmd(crossingID string, f faceDone, citizenship Citizenship) tea.Cmd {
	faces, bio, ctx, timeout := m.deps.Faces, m.deps.Biometrics, m.ctx, m.c.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var errs []error
		var live, onFile image.Image
		var stored Citizenship
		if f.captureID != "" {
			png, img, err := faces.Capture(ctx, f.captureID)
			live = img
			if err == nil && bio != nil {
				err = bio.SaveCapture(ctx, FaceCapture{ID: f.captureID, CrossingID: crossingID, Document: f.doc,
					PNG: png, CapturedAt: f.capturedAt, Citizenship: citizenship})
				if err == nil {
					stored = citizenship
				}
			}
			if err != nil && !errors.Is(err, ErrNoImage) {
				errs = append(errs, fmt.Errorf("live capture: %w", err))
			}
		}
		img, err := faces.Gallery(ctx, f.doc)
		onFile = img
		if err != nil && !errors.Is(err, ErrNoImage) {
			errs = append(errs, fmt.Errorf("photo on file: %w", err))
		}
		return faceImagesMsg{crossingID: crossingID, docKey: f.docKey, live: live, onFile: onFile, stored: stored, err: errors.Join(errs...)}
	}
}

func (m *Model) refreshStatus() tea.Cmd {
	lookups, ctx, timeout := m.deps.Lookups, m.ctx, m.c.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		st, err := lookups.Status(ctx)
		return refStatusMsg{status: st, err: err}
	}
}

// captureClassCmd re-files a kept live capture under the retention class the
// traveller's now established citizenship calls for (a capture is kept as a
// US citizen's until citizenship is established).
func (m *Model) captureClassCmd(captureID string, class Citizenship) tea.Cmd {
	bio, ctx, timeout, log := m.deps.Biometrics, m.ctx, m.c.cfg.LookupTimeout, m.log
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := bio.MarkCitizenship(ctx, captureID, class); err != nil {
			log.Error("capture retention class not updated; it stays under the citizen rule", "capture", captureID, "class", class, "err", err)
		}
		return nil
	}
}
