package tui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// appendedMsg reports events made durable by the store.
type appendedMsg struct {
	crossingID string
	events     []records.Event
	// saved is shown as "✔ saved: …" once the write returned; empty for
	// device observations and background checks.
	saved string
	// advance moves the booth to the next vehicle (after a determination or
	// a referral).
	advance bool
	// face is set when the write recorded a face verification.
	face *faceDone
}

type faceDone struct {
	docKey     string
	doc        records.DocumentRef
	captureID  string
	capturedAt time.Time
}

// failedMsg reports a write or look-up that failed.
type failedMsg struct {
	crossingID string
	what       string
	err        error
}

type historyMsg struct {
	crossingID string
	subject    string
	entries    []HistoryEntry
	err        error
}

type faceImagesMsg struct {
	crossingID   string
	docKey       string
	live, onFile image.Image
	// stored is the retention class the live capture was kept under in
	// the biometric store, "" when it was not kept.
	stored sqlitestore.CitizenshipStatus
	err    error
}

type refStatusMsg struct {
	status RefStatus
	err    error
}

// closeDialogMsg closes the open dialog.
type closeDialogMsg struct{}

func closeDialog() tea.Msg { return closeDialogMsg{} }

// appendCmd writes events and reports them stored (or the failure).
func (m *Model) appendCmd(crossingID, saved string, advance bool, evs ...records.Event) tea.Cmd {
	log, timeout, ctx := m.deps.Log, m.cfg.LookupTimeout, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		stored, err := log.Append(ctx, evs...)
		if err != nil {
			what := "write failed"
			if saved != "" {
				what = saved + " NOT saved"
			}
			return failedMsg{crossingID: crossingID, what: what, err: err}
		}
		return appendedMsg{crossingID: crossingID, events: stored, saved: saved, advance: advance}
	}
}

// officerEvent builds an event the signed-in officer records now.
func (m *Model) officerEvent(crossingID string, p records.Payload) (records.Event, error) {
	return records.NewEvent(crossingID, p, m.deps.Now(), m.badge())
}

// record builds and writes one officer event.
func (m *Model) record(crossingID, saved string, advance bool, ps ...records.Payload) tea.Cmd {
	evs := make([]records.Event, 0, len(ps))
	for _, p := range ps {
		ev, err := m.officerEvent(crossingID, p)
		if err != nil {
			m.setStatus(true, "✖ %s: %v", saved, err)
			return nil
		}
		evs = append(evs, ev)
	}
	m.setStatus(false, "… saving %s", saved)
	return m.appendCmd(crossingID, saved, advance, evs...)
}

// tagCmd resolves an RFID card in the reference data and records the read,
// opening the crossing first when the lane says so.
func (m *Model) tagCmd(a records.Assignment, open records.CrossingOpened, read records.RFIDRead, at time.Time) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.cfg.LookupTimeout, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		enr, err := lookups.Enrollment(ctx, read.EPC)
		if err != nil {
			// Record the read anyway: the card was in the lane.
			enr = nil
		}
		read.Enrollment = enr
		evs, berr := records.ObservationEvents(a, open, read, at)
		if berr != nil {
			return failedMsg{crossingID: a.CrossingID, what: "record card read", err: berr}
		}
		stored, aerr := log.Append(ctx, evs...)
		if aerr != nil {
			return failedMsg{crossingID: a.CrossingID, what: "record card read", err: aerr}
		}
		if err != nil {
			return tea.BatchMsg{
				func() tea.Msg { return appendedMsg{crossingID: a.CrossingID, events: stored} },
				func() tea.Msg {
					return failedMsg{crossingID: a.CrossingID, what: "resolve card " + read.EPC, err: err}
				},
			}
		}
		return appendedMsg{crossingID: a.CrossingID, events: stored}
	}
}

// checkTravelerCmd checks a traveller against the reference data and records
// the result.
func (m *Model) checkTravelerCmd(crossingID string, t records.Traveler) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.cfg.LookupTimeout, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		rc, err := lookups.CheckTraveler(ctx, t)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "reference check of " + t.DisplayName(), err: err}
		}
		return appendChecked(ctx, log, crossingID, rc)
	}
}

func (m *Model) checkPlateCmd(crossingID, region, plate string) tea.Cmd {
	lookups, log, timeout, ctx := m.deps.Lookups, m.deps.Log, m.cfg.LookupTimeout, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		rc, err := lookups.CheckPlate(ctx, region, plate)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "plate check " + region + "/" + plate, err: err}
		}
		return appendChecked(ctx, log, crossingID, rc)
	}
}

func appendChecked(ctx context.Context, log Log, crossingID string, rc records.ReferenceChecked) tea.Msg {
	ev, err := records.NewEvent(crossingID, rc, time.Now(), "")
	if err != nil {
		return failedMsg{crossingID: crossingID, what: "record reference check", err: err}
	}
	stored, err := log.Append(ctx, ev)
	if err != nil {
		return failedMsg{crossingID: crossingID, what: "record reference check", err: err}
	}
	return appendedMsg{crossingID: crossingID, events: stored}
}

func (m *Model) travelerHistoryCmd(crossingID, subject string, t records.Traveler) tea.Cmd {
	lookups, timeout, ctx, limit := m.deps.Lookups, m.cfg.LookupTimeout, m.ctx, m.cfg.HistoryLimit
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		h, err := lookups.TravelerHistory(ctx, t, limit+1)
		return historyMsg{crossingID: crossingID, subject: subject, entries: h, err: err}
	}
}

func (m *Model) plateHistoryCmd(crossingID, subject, region, plate string) tea.Cmd {
	lookups, timeout, ctx, limit := m.deps.Lookups, m.cfg.LookupTimeout, m.ctx, m.cfg.HistoryLimit
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		h, err := lookups.PlateHistory(ctx, region, plate, limit+1)
		return historyMsg{crossingID: crossingID, subject: subject, entries: h, err: err}
	}
}

// faceCmd asks the matcher about one document and records the verdict
// ("unavailable — verify manually" when the matcher failed). withRef says
// whether the capture may be referenced from the record (a known
// non-citizen's); otherwise the reference stays out of the event log.
func (m *Model) faceCmd(crossingID string, doc records.DocumentRef, withRef bool) tea.Cmd {
	faces, log, ctx := m.deps.Faces, m.deps.Log, m.ctx
	lane, faceTimeout, timeout := m.cfg.Lane, m.cfg.FaceTimeout, m.cfg.LookupTimeout
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
			return failedMsg{crossingID: crossingID, what: "record face result", err: err}
		}
		actx, acancel := context.WithTimeout(ctx, timeout)
		defer acancel()
		stored, err := log.Append(actx, ev)
		if err != nil {
			return failedMsg{crossingID: crossingID, what: "record face result", err: err}
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
func (m *Model) faceImagesCmd(crossingID string, f faceDone, citizenship sqlitestore.CitizenshipStatus) tea.Cmd {
	faces, bio, ctx, timeout := m.deps.Faces, m.deps.Biometrics, m.ctx, m.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var errs []error
		var live, onFile image.Image
		var stored sqlitestore.CitizenshipStatus
		if f.captureID != "" {
			b, err := faces.Capture(ctx, f.captureID)
			if err == nil {
				live, err = facematch.DecodePNG(b)
			}
			if err == nil && bio != nil {
				err = bio.SaveCapture(ctx, sqlitestore.Capture{ID: f.captureID, CrossingID: crossingID, Document: f.doc,
					PNG: b, CapturedAt: f.capturedAt, Citizenship: citizenship})
				if err == nil {
					stored = citizenship
				}
			}
			if err != nil && !errors.Is(err, facematch.ErrNotFound) {
				errs = append(errs, fmt.Errorf("live capture: %w", err))
			}
		}
		b, err := faces.Gallery(ctx, f.doc)
		if err == nil {
			onFile, err = facematch.DecodePNG(b)
		}
		if err != nil && !errors.Is(err, facematch.ErrNotFound) {
			errs = append(errs, fmt.Errorf("photo on file: %w", err))
		}
		return faceImagesMsg{crossingID: crossingID, docKey: f.docKey, live: live, onFile: onFile, stored: stored, err: errors.Join(errs...)}
	}
}

func (m *Model) refreshStatus() tea.Cmd {
	lookups, ctx, timeout := m.deps.Lookups, m.ctx, m.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		st, err := lookups.Status(ctx)
		return refStatusMsg{status: st, err: err}
	}
}

// captureClassCmd re-files a kept live capture under the retention class the
// traveller's now established citizenship calls for (DESIGN §6: kept as a
// US citizen's until citizenship is established).
func (m *Model) captureClassCmd(captureID string, class sqlitestore.CitizenshipStatus) tea.Cmd {
	bio, ctx, timeout, log := m.deps.Biometrics, m.ctx, m.cfg.LookupTimeout, m.log
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := bio.MarkCitizenship(ctx, captureID, class); err != nil {
			log.Error("capture retention class not updated; it stays under the citizen rule", "capture", captureID, "class", class, "err", err)
		}
		return nil
	}
}
