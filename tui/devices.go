package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// onDevice turns one device event into crossing events: the lane decides
// which crossing it belongs to (opening one when needed) and a command
// writes it.
func (m *Model) onDevice(ev hardware.Event) tea.Cmd {
	at := ev.At
	if at.IsZero() {
		at = m.deps.Now()
	}
	var p records.Payload
	switch ev.Kind {
	case hardware.KindStatus:
		if ev.Status != nil {
			h := m.health[ev.Device]
			was := h.State
			h.Device, h.State = ev.Device, ev.Status.State
			m.health[ev.Device] = h
			switch {
			case ev.Status.State == hardware.StateDisconnected && was != hardware.StateDisconnected:
				m.setStatus(true, "✖ %s disconnected — reconnecting by itself (%s)", deviceName(ev.Device), ev.Status.Detail)
			case ev.Status.State == hardware.StateConnected && was == hardware.StateDisconnected:
				m.setStatus(false, "✔ %s connected again", deviceName(ev.Device))
			}
		}
		return nil
	case hardware.KindError:
		h := m.health[ev.Device]
		h.Device = ev.Device
		h.Errors++
		if ev.Error != nil {
			h.LastError = ev.Error.Err
		}
		m.health[ev.Device] = h
		if ev.Device == hardware.DeviceDoc && m.officer != nil {
			m.setStatus(true, "✖ document not readable — present it again, or key it by hand (%s)", m.keys.Manual.Help().Key)
		}
		return nil
	case hardware.KindFault:
		if ev.Fault != nil {
			m.setStatus(true, "⚠ RPM background fault %s %s", ev.Fault.Code, ev.Fault.Detail)
		}
		return nil
	case hardware.KindTamper:
		if ev.Tamper != nil && ev.Tamper.Active {
			m.setStatus(true, "⚠ RPM TAMPER — notify the supervisor")
		}
		return nil
	case hardware.KindTag, hardware.KindOccupancy, hardware.KindPlate, hardware.KindDocument:
		if m.cfg.ReadOnly {
			// A read-only workstation records nothing, device readings
			// included; the lane's own booth records them.
			return nil
		}
	}
	switch ev.Kind {
	case hardware.KindTag:
		if ev.Tag == nil {
			return nil
		}
		read := records.RFIDRead{EPC: ev.Tag.EPC, Antenna: ev.Tag.Antenna, RSSI: ev.Tag.RSSI}
		a := m.lane.Observe(records.Observation{Kind: records.ObserveTag, At: at, EPC: read.EPC})
		m.evicted(a)
		if a.Duplicate {
			return nil
		}
		m.crossing(a.CrossingID)
		return m.tagCmd(a, m.opened(), read, at)
	case hardware.KindOccupancy:
		if ev.Occupancy == nil {
			return nil
		}
		o := ev.Occupancy
		p = records.RPMOccupancy{Occupancy: o.Occupancy, Start: o.Start, End: o.End, GammaAlarm: o.GammaAlarm,
			NeutronAlarm: o.NeutronAlarm, MaxGamma: o.MaxGamma, MaxNeutron: o.MaxNeutron,
			BackgroundGamma: o.BackgroundGamma, Speed: o.Speed}
	case hardware.KindPlate:
		if ev.Plate == nil || ev.Plate.Plate == "" {
			return nil
		}
		pl := ev.Plate
		pr := records.PlateRead{Plate: strings.ToUpper(pl.Plate), Region: strings.ToUpper(pl.Region),
			Confidence: pl.Confidence, CameraID: pl.CameraID}
		for _, c := range pl.Candidates {
			pr.Candidates = append(pr.Candidates, records.PlateCandidate{Plate: strings.ToUpper(c.Plate), Confidence: c.Confidence})
		}
		p = pr
	case hardware.KindDocument:
		if ev.Document == nil || ev.Document.MRZ == nil {
			return nil
		}
		p = records.DocumentRead{Raw: ev.Document.Raw, MRZ: *ev.Document.MRZ}
	default:
		return nil
	}
	if m.cfg.Mode == records.ModePedestrian {
		if _, ok := p.(records.PlateRead); ok {
			return nil // no vehicle at a pedestrian counter
		}
	}
	obs, _ := records.ObservationOf(p, at)
	a := m.lane.Observe(obs)
	m.evicted(a)
	m.crossing(a.CrossingID)
	evs, err := records.ObservationEvents(a, m.opened(), p, at)
	if err != nil {
		m.setStatus(true, "✖ record %s: %v", p.Kind(), err)
		return nil
	}
	return m.appendCmd(a.CrossingID, "", false, evs...)
}

func (m *Model) opened() records.CrossingOpened {
	return records.CrossingOpened{Port: m.cfg.Port, Lane: m.cfg.Lane, Mode: m.cfg.Mode}
}

func (m *Model) evicted(a records.Assignment) {
	for _, id := range a.Evicted {
		m.log.Warn("approaching vehicle no longer correlated", "crossing", id)
		delete(m.crossings, id)
	}
}

// onAppended folds stored events into their crossing and starts the
// look-ups they call for.
func (m *Model) onAppended(msg appendedMsg) tea.Cmd {
	cs, tracked := m.crossings[msg.crossingID]
	if tracked {
		cs.add(msg.events)
	}
	if msg.saved != "" {
		m.setStatus(false, "✔ saved: %s", msg.saved)
	}
	var cmds []tea.Cmd
	if msg.advance && m.lane.Current() == msg.crossingID {
		m.lane.Next()
		m.forget()
		m.primary.onNewVehicle()
		cmds = append(cmds, m.releasedCmd())
	}
	if tracked {
		if msg.face != nil && m.deps.Faces != nil {
			cmds = append(cmds, m.faceImagesCmd(cs.id, *msg.face, citizenshipOf(cs.c.Traveler(msg.face.docKey))))
			if f := cs.faces[msg.face.docKey]; f != nil {
				f.captureID = msg.face.captureID
			}
		}
		if _, still := m.crossings[cs.id]; still && !cs.done {
			cmds = append(cmds, m.followUps(cs)...)
		}
		cmds = append(cmds, m.syncCaptureClasses(cs))
	}
	return tea.Batch(cmds...)
}

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
		wantFace := t.MRZ != nil || t.Keyed || (m.cfg.Mode == records.ModePedestrian && !t.Document.IsZero())
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
	}
	return cmds
}

func (m *Model) onHistory(msg historyMsg) {
	cs, ok := m.crossings[msg.crossingID]
	if !ok {
		return
	}
	if msg.err != nil {
		m.log.Error("history look-up", "subject", msg.subject, "err", msg.err)
		m.setStatus(true, "✖ history of %s unavailable: %v", msg.subject, msg.err)
		return
	}
	// The crossing itself is already in the store: leave it out.
	h := msg.entries[:0:0]
	for _, e := range msg.entries {
		if e.CrossingID != cs.id {
			h = append(h, e)
		}
	}
	cs.history[msg.subject] = h
}

func (m *Model) onFaceImages(msg faceImagesMsg) tea.Cmd {
	cs, ok := m.crossings[msg.crossingID]
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
		if class := citizenshipOf(cs.c.Traveler(docKey)); class != f.storedAs && class != sqlitestore.CitizenUnknown {
			f.storedAs = class
			cmds = append(cmds, m.captureClassCmd(f.captureID, class))
		}
	}
	return tea.Batch(cmds...)
}

// citizenshipOf is the retention class of a traveller's capture: a US
// citizen's and, until citizenship is established, anyone's is kept as a
// citizen's (DESIGN §6).
func citizenshipOf(t *records.Traveler) sqlitestore.CitizenshipStatus {
	switch {
	case t == nil || t.Citizenship == "":
		return sqlitestore.CitizenUnknown
	case t.Citizenship == "USA":
		return sqlitestore.CitizenUSC
	}
	return sqlitestore.CitizenNonUSC
}

func deviceName(d hardware.Device) string {
	switch d {
	case hardware.DeviceDoc:
		return "document reader"
	case hardware.DeviceRFID:
		return "RFID reader"
	case hardware.DeviceRPM:
		return "radiation portal monitor"
	case hardware.DeviceLPR:
		return "plate reader"
	}
	return string(d)
}
