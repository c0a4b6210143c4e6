package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// followUps starts, once each, what a crossing's new state calls for:
// reference checks and history for each traveller and the plate, and a face
// verification for each travel document read (or, at a pedestrian counter,
// for the card presented).
func (m *Model) followUps(cs *crossingState) []tea.Cmd {
	var cmds []tea.Cmd
	once := func(k string) bool {
		if cs.asked[k] {
			return false
		}
		cs.asked[k] = true
		return true
	}
	for _, t := range cs.c.Travelers {
		if t.Document.IsZero() && t.Surname == "" {
			continue // unknown card: nothing to look up
		}
		subject := t.Key
		if !t.Document.IsZero() && once("check:"+t.Document.Key()) {
			cmds = append(cmds, m.checkTravelerCmd(cs.id, *t))
		}
		if once("history:" + t.Document.Key() + "|" + t.Surname) {
			cmds = append(cmds, m.travelerHistoryCmd(cs.id, subject, *t))
		}
		if q, ok := nationalQueryFor(*t); ok && once("national:"+subject+"|"+q.Country+"/"+q.Number+"|"+q.Surname) {
			cmds = append(cmds, m.nationalCmd(cs, subject, q)) // nil without national look-ups
		}
		wantFace := t.MRZ != nil || t.Keyed || (m.c.cfg.Mode == records.ModePedestrian && !t.Document.IsZero())
		if wantFace && m.deps.Faces != nil && t.Face == nil && once("face:"+t.Document.Key()) {
			cs.faces[t.Document.Key()] = &faceView{}
			withRef := t.Citizenship != "" && t.Citizenship != "USA"
			cmds = append(cmds, m.faceCmd(cs.id, t.Document, withRef))
		}
	}
	if v := cs.c.Vehicle; v != nil && v.Plate != "" {
		if once("check:plate:" + v.Key()) {
			cmds = append(cmds, m.checkPlateCmd(cs.id, v.Region, v.Plate))
		}
		if once("history:plate:" + v.Key()) {
			cmds = append(cmds, m.plateHistoryCmd(cs.id, "plate:"+v.Key(), v.Region, v.Plate))
		}
		if once("national:plate:" + v.Key()) {
			cmds = append(cmds, m.nationalCmd(cs, "plate:"+v.Key(), NationalQuery{Region: v.Region, Plate: v.Plate}))
		}
	}
	return cmds
}

// onHistory shows a history look-up's answer and audits it: the officer
// signed in now sees who crossed before (a search by document, name or
// plate, with its terms).
func (m *Model) onHistory(msg historyMsg) tea.Cmd {
	cs, ok := m.ws.crossings[msg.crossingID]
	if !ok {
		return nil
	}
	if msg.err != nil {
		m.log.Error("history look-up", "subject", msg.subject, "err", msg.err)
		m.setStatus(true, "✖ history of %s unavailable: %v", msg.subject, msg.err)
		return nil
	}
	// The crossing itself is already in the store: leave it out.
	h := msg.entries[:0:0]
	for _, e := range msg.entries {
		if e.CrossingID != cs.id {
			h = append(h, e)
		}
	}
	cs.history[msg.subject] = h
	// With nobody signed in the entry names no officer: the system looked
	// it up.
	return m.recordAudit(records.HistoryLookupAudit(m.badge(), msg.lookup, cs.id, len(h)))
}

func (m *Model) onFaceImages(msg faceImagesMsg) tea.Cmd {
	cs, ok := m.ws.crossings[msg.crossingID]
	if !ok {
		return nil
	}
	f := cs.faces[msg.docKey]
	if f == nil {
		f = &faceView{}
		cs.faces[msg.docKey] = f
	}
	f.live, f.onFile = msg.live, msg.onFile
	if msg.err != nil {
		f.err = msg.err.Error()
	}
	if msg.stored != "" {
		f.storedAs = msg.stored
	}
	buildArt(f)
	// The reference check may have established citizenship while the
	// capture was being kept.
	return m.syncCaptureClasses(cs)
}

// syncCaptureClasses re-files each kept capture whose traveller's
// citizenship is now known under the class it calls for.
func (m *Model) syncCaptureClasses(cs *crossingState) tea.Cmd {
	if m.deps.Biometrics == nil {
		return nil
	}
	var cmds []tea.Cmd
	for docKey, f := range cs.faces {
		if f.storedAs == "" || f.captureID == "" {
			continue
		}
		if class := citizenshipOf(cs.c.Traveler(docKey)); class != f.storedAs && class != CitizenshipUnknown {
			f.storedAs = class
			cmds = append(cmds, m.captureClassCmd(f.captureID, class))
		}
	}
	return tea.Batch(cmds...)
}

// citizenshipOf is the retention class of a traveller's capture: a US
// citizen's and, until citizenship is established, anyone's is kept as a
// citizen's.
func citizenshipOf(t *records.Traveler) Citizenship {
	switch {
	case t == nil || t.Citizenship == "":
		return CitizenshipUnknown
	case t.Citizenship == "USA":
		return CitizenshipUSC
	}
	return CitizenshipNonUSC
}
