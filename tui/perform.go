package tui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// perform carries out what a screen or dialog asked for. Whatever is saved
// is computed here from the crossing's state at this moment, not from what
// the dialog saw when it opened.
func (m *Model) perform(a action) tea.Cmd {
	switch a := a.(type) {
	case nil, closeAction:
		return nil
	case statusAction:
		m.setStatus(a.err, "%s", a.text)
		return nil
	case openAction:
		m.openDialog(a.d)
		return nil
	case signInAction:
		return m.signIn(a)
	case logoutAction:
		return m.logout()
	case nextAction:
		return m.next()
	case manualAction:
		return m.keyDocument(a.doc)
	}
	return m.performOnCrossing(a)
}

// performOnCrossing carries out a write on a crossing at the booth.
func (m *Model) performOnCrossing(a action) tea.Cmd {
	var id string
	switch a := a.(type) {
	case admitAction:
		id = a.crossing
	case ackAction:
		id = a.crossing
	case referAction:
		id = a.crossing
	case noteAction:
		id = a.crossing
	case xrayAction:
		id = a.crossing
	case plateAction:
		id = a.crossing
	default:
		m.log.Error("tui: unknown action", "action", a)
		return nil
	}
	cs := m.ws.crossings[id]
	if cs == nil {
		m.setStatus(true, "✖ NOT saved: crossing %s is no longer at the booth", shortID(id))
		return nil
	}
	switch a := a.(type) {
	case noteAction:
		return m.record(id, "note", false, records.Note{Text: a.text})
	case ackAction:
		al := cs.c.Alert(a.alert)
		if al == nil || al.Acknowledged {
			return nil
		}
		return m.record(id, "acknowledged "+alertLabel(al.Type)+" "+al.Subject, false, records.AlertAcknowledged{AlertID: al.ID})
	case xrayAction:
		return m.record(id, "baggage x-ray "+a.outcome, false, records.BaggageXray{Outcome: a.outcome})
	case plateAction:
		what := "plate confirmed " + a.pc.Region + "/" + a.pc.Plate
		if a.pc.Corrected {
			what = "plate corrected to " + a.pc.Region + "/" + a.pc.Plate
		}
		return m.record(id, what, false, a.pc)
	}
	// A determination or a referral: once per crossing.
	if m.closed(cs) {
		return nil
	}
	switch a := a.(type) {
	case admitAction:
		if ok, why := cs.c.CanAdmit(); !ok {
			m.setStatus(true, "✖ cannot admit: %s", why)
			return nil
		}
		m.ws.busy[id] = true
		return m.record(id, "admitted "+describe(cs.c), true,
			records.Determination{Outcome: records.OutcomeAdmitted}, records.CrossingClosed{})
	case referAction:
		codes := referCodes(a.reasons, mandatoryReasons(cs))
		m.ws.busy[id] = true
		return m.record(id, "referred to secondary ("+strings.Join(codes, ", ")+")", true,
			records.Referred{Reasons: codes, Note: a.note})
	}
	return nil
}

// closed reports (and tells the officer) that the crossing already has its
// outcome or one is being saved.
func (m *Model) closed(cs *crossingState) bool {
	if why := m.ws.closedWhy(cs); why != "" {
		m.setStatus(true, "%s", why)
		return true
	}
	return false
}

// keyDocument records a document keyed by hand on the crossing at the booth
// now, opening one when the booth is idle.
func (m *Model) keyDocument(doc records.DocumentKeyed) tea.Cmd {
	now := m.c.now()
	a := m.ws.lane.Observe(records.Observation{Kind: records.ObserveDocument, At: now})
	m.evicted(a)
	m.ws.crossing(a.CrossingID)
	if a.Open {
		if err := m.openCrossing(a.CrossingID, "manual", now, m.badge()); err != nil {
			m.ws.lane.Abandon(a.CrossingID)
			m.ws.drop(a.CrossingID)
			m.setStatus(true, "✖ document keyed NOT saved: %v", err)
			return nil
		}
	}
	return m.record(a.CrossingID, "document keyed", false, doc)
}

// next moves the booth to the next vehicle without a decision.
func (m *Model) next() tea.Cmd {
	if cs := m.ws.current(); cs != nil && cs.c.Status == records.StatusOpen && len(cs.events) > 0 {
		m.setStatus(true, "⚠ %s left open without a decision", describe(cs.c))
	} else {
		m.setStatus(false, "")
	}
	m.ws.lane.Next()
	m.ws.forget()
	if nc := m.ws.current(); nc != nil {
		m.setStatus(false, "next: %s", describe(nc.c))
	}
	return m.releasedCmd()
}

// releasedCmd tells Deps.Released that the booth is free for the next
// vehicle.
func (m *Model) releasedCmd() tea.Cmd {
	if m.deps.Released == nil {
		return nil
	}
	released := m.deps.Released
	return func() tea.Msg {
		released()
		return nil
	}
}

// signIn checks a badge and PIN in a command; loginMsg carries the answer.
func (m *Model) signIn(a signInAction) tea.Cmd {
	officers, now, ctx, timeout := m.deps.Officers, m.c.now(), m.ctx, m.c.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		o, err := officers.Authenticate(ctx, a.badge, a.pin, now)
		for i := range a.pin {
			a.pin[i] = 0
		}
		if err == nil && a.unlock && !strings.EqualFold(o.Badge, a.badge) {
			err = ErrBadCredentials
		}
		return loginMsg{officer: o, err: err, unlock: a.unlock}
	}
}
