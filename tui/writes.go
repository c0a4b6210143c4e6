package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// A crossing's first stored event is its crossing.opened. The lane assigns a
// new crossing at once (in Update), but the write that records it may fail
// or be overtaken by a faster one (a plate read written before the slower
// card look-up returns). So the opening is built once, with a fixed id, and
// travels first in every write for the crossing until a write carrying it has
// committed; the log keeps only the first copy. When every write that carried
// it failed and none committed, the crossing never existed: the lane forgets
// it and nothing is shown for it.

// opening is a crossing's crossing.opened not yet known to be stored.
type opening struct {
	ev records.Event
	// inflight counts the writes carrying it that have not answered.
	inflight int
	// what names what opened it, for the officer ("card read").
	what string
}

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

// failedMsg reports a write or look-up that failed.
type failedMsg struct {
	crossingID string
	what       string
	err        error
	// carried: the failed write carried the crossing's opening.
	carried bool
	// write: the failure is a write's (a decision in flight is no longer).
	write bool
}

// openCrossing registers the opening of a crossing the lane (or the officer)
// just opened; the next writes for it carry it.
func (m *Model) openCrossing(id, trigger string, at time.Time, officer string) error {
	o := records.CrossingOpened{Port: m.c.cfg.Port, Lane: m.c.cfg.Lane, Mode: m.c.cfg.Mode, Trigger: trigger}
	ev, err := records.NewEvent(id, o, at, officer)
	if err != nil {
		return err
	}
	m.ws.openings[id] = &opening{ev: ev, what: triggerWhat(trigger)}
	return nil
}

func triggerWhat(trigger string) string {
	switch trigger {
	case string(records.ObserveTag):
		return "card read"
	case string(records.ObservePlate):
		return "plate read"
	case string(records.ObserveOccupancy):
		return "portal scan"
	case string(records.ObserveDocument):
		return "document read"
	case "manual":
		return "keyed document"
	}
	return "first reading"
}

// kindWhat names what a device or background event records, for the officer.
func kindWhat(k records.Kind) string {
	switch k {
	case records.KindRFIDRead:
		return "card read"
	case records.KindPlateRead:
		return "plate read"
	case records.KindRPMOccupancy:
		return "portal scan"
	case records.KindDocumentRead:
		return "document read"
	case records.KindReferenceChecked:
		return "reference check"
	case records.KindFaceVerified:
		return "face result"
	}
	return string(k)
}

// carry returns the crossing's opening when it must travel with the next
// write, counting that write.
func (m *Model) carry(id string) *records.Event {
	o := m.ws.openings[id]
	if o == nil {
		return nil
	}
	o.inflight++
	ev := o.ev
	return &ev
}

// withOpening puts the opening, when carried, before evs.
func withOpening(open *records.Event, evs []records.Event) []records.Event {
	if open == nil {
		return evs
	}
	return append([]records.Event{*open}, evs...)
}

// appendCmd writes events (after the crossing's opening while it is not
// stored) and reports them stored, or the failure.
func (m *Model) appendCmd(crossingID, saved string, advance bool, evs ...records.Event) tea.Cmd {
	log, timeout, ctx := m.deps.Log, m.c.cfg.LookupTimeout, m.ctx
	open := m.carry(crossingID)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		stored, err := log.Append(ctx, withOpening(open, evs)...)
		if err != nil {
			what := "write failed"
			if saved != "" {
				what = saved + " NOT saved"
			} else if len(evs) > 0 {
				what = kindWhat(evs[0].Kind) + " NOT saved"
			}
			return failedMsg{crossingID: crossingID, what: what, err: err, carried: open != nil, write: true}
		}
		return appendedMsg{crossingID: crossingID, events: stored, saved: saved, advance: advance}
	}
}

// officerEvent builds an event the signed-in officer records now.
func (m *Model) officerEvent(crossingID string, p records.Payload) (records.Event, error) {
	return records.NewEvent(crossingID, p, m.c.now(), m.badge())
}

// record builds and writes officer events.
func (m *Model) record(crossingID, saved string, advance bool, ps ...records.Payload) tea.Cmd {
	evs := make([]records.Event, 0, len(ps))
	for _, p := range ps {
		ev, err := m.officerEvent(crossingID, p)
		if err != nil {
			delete(m.ws.busy, crossingID)
			m.setStatus(true, "✖ %s NOT saved: %v", saved, err)
			return nil
		}
		evs = append(evs, ev)
	}
	m.setStatus(false, "… saving %s", saved)
	return m.appendCmd(crossingID, saved, advance, evs...)
}

// onAppended folds stored events into their crossing and starts the
// look-ups they call for.
func (m *Model) onAppended(msg appendedMsg) tea.Cmd {
	m.diskFull = false
	// Whatever this write carried, the crossing is now on record.
	delete(m.ws.openings, msg.crossingID)
	cs, tracked := m.ws.crossings[msg.crossingID]
	if tracked {
		cs.add(msg.events)
	}
	if msg.saved != "" {
		m.setStatus(false, "✔ saved: %s", msg.saved)
	}
	var cmds []tea.Cmd
	if msg.advance {
		delete(m.ws.busy, msg.crossingID)
		if m.ws.lane.Current() == msg.crossingID {
			m.ws.lane.Next()
			m.ws.forget()
			cmds = append(cmds, m.releasedCmd())
		}
	}
	if _, still := m.ws.crossings[msg.crossingID]; tracked && still {
		if msg.face != nil && m.deps.Faces != nil {
			cmds = append(cmds, m.faceImagesCmd(cs.id, *msg.face, citizenshipOf(cs.c.Traveler(msg.face.docKey))))
			if f := cs.faces[msg.face.docKey]; f != nil {
				f.captureID = msg.face.captureID
			}
		}
		cmds = append(cmds, m.followUps(cs)...)
		cmds = append(cmds, m.syncCaptureClasses(cs))
	}
	return tea.Batch(cmds...)
}

// onFailed reports a failed write or look-up; a crossing whose every
// opening write failed is forgotten.
func (m *Model) onFailed(msg failedMsg) {
	if msg.write {
		delete(m.ws.busy, msg.crossingID)
	}
	full := errors.Is(msg.err, ErrDiskFull)
	if full {
		m.diskFull = true
		// A full disk fails every write, device readings included: say so
		// in the log once a minute, not once a reading.
		if now := m.c.now(); m.diskFullLogged.IsZero() || now.Sub(m.diskFullLogged) >= time.Minute {
			m.diskFullLogged = now
			m.log.Error("disk full: readings and decisions are NOT being saved", "what", msg.what, "crossing", msg.crossingID, "err", msg.err)
		}
	} else {
		m.log.Error(msg.what, "crossing", msg.crossingID, "err", msg.err)
	}
	if o := m.ws.openings[msg.crossingID]; o != nil && msg.carried {
		o.inflight--
		if o.inflight <= 0 {
			m.abandon(msg.crossingID, o, msg.err)
			return
		}
	}
	m.setStatus(true, "✖ %s: %v", msg.what, msg.err)
}

// abandon forgets a crossing none of whose writes stored its opening: there
// is no such crossing in the record, so the lane must not attach anything
// more to it and the screen must not show it.
func (m *Model) abandon(id string, o *opening, err error) {
	m.ws.lane.Abandon(id)
	m.ws.drop(id)
	if !errors.Is(err, ErrDiskFull) { // a full disk is logged once a minute
		m.log.Warn("crossing not opened: its first write failed", "crossing", id, "what", o.what, "err", err)
	}
	m.setStatus(true, "✖ %s NOT saved — no crossing opened, nothing shown for it: %v", o.what, err)
}
