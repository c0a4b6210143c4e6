package records

import (
	"slices"
	"strings"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// Fold computes the current state of one crossing from its events.
//
// It is pure and deterministic: the events are de-duplicated by id and
// ordered by Less before folding, so any permutation of the same set (events
// arriving out of order, or merged from two workstations' logs) yields the
// same Crossing. Events of an unknown kind or a newer schema are counted in
// Skipped and otherwise ignored; they are never an error.
func Fold(events []Event) *Crossing {
	evs := slices.Clone(events)
	slices.SortFunc(evs, func(a, b Event) int {
		switch {
		case Less(a, b):
			return -1
		case Less(b, a):
			return 1
		}
		return 0
	})
	evs = slices.CompactFunc(evs, func(a, b Event) bool { return a.ID == b.ID })

	f := folder{c: &Crossing{Status: StatusOpen}, acks: map[string]Stamped[AlertAcknowledged]{}, captures: map[string]*Traveler{}}
	for _, e := range evs {
		f.apply(e)
	}
	f.finish()
	return f.c
}

// folder holds the working state of one Fold call.
type folder struct {
	c *Crossing
	// acks are applied after every alert is raised, so an acknowledgement
	// ordered before its alert (clock skew between workstations) still counts.
	acks map[string]Stamped[AlertAcknowledged]
	// closed is set by the first crossing.closed event.
	closed bool
	// opened is set by the first crossing.opened event.
	opened bool
	// captures maps a face capture's reference to its traveller, so a
	// forward finds them after a purge cleared Face.CaptureRef.
	captures map[string]*Traveler
}

func (f *folder) apply(e Event) {
	c := f.c
	if c.ID == "" {
		c.ID = e.CrossingID
	}
	c.Events++
	if e.At.After(c.LastAt) {
		c.LastAt = e.At
	}
	p, err := e.Decode()
	if err != nil {
		c.Skipped = append(c.Skipped, e.ID)
		return
	}
	switch p := p.(type) {
	case *CrossingOpened:
		if !f.opened {
			f.opened = true
			c.Integrity.BeforeOpening = c.Events - 1
		}
		// The first opening wins; a second one (two booths opening the same
		// crossing) only fills what is still unknown.
		if c.OpenedAt.IsZero() {
			c.Port, c.Lane, c.Mode, c.Trigger = p.Port, p.Lane, p.Mode, p.Trigger
			c.Origin, c.OpenedAt, c.OpenedBy = e.Origin, e.At, e.Officer
		}
	case *RFIDRead:
		f.rfidRead(p)
	case *DocumentRead:
		f.document(e, p.Raw, &p.MRZ, false)
	case *DocumentKeyed:
		f.documentKeyed(e, p)
	case *PlateRead:
		f.plateRead(p)
	case *PlateConfirmed:
		v := f.vehicle()
		v.Plate, v.Region = p.Plate, p.Region
		v.Confirmed, v.Corrected, v.ConfirmedBy = true, p.Corrected, e.Officer
		if p.Corrected {
			v.Confidence = 100
			v.Candidates = nil
		}
	case *RPMOccupancy:
		occ := *p
		c.RPM = &occ
		if occ.Alarm() {
			id := "rpm:" + itoa(occ.Occupancy)
			if occ.Incomplete {
				id = "rpm:incomplete:" + occ.Start.UTC().Format(time.RFC3339Nano)
			}
			f.raise(Alert{
				ID: id, Type: AlertRPM, Subject: "occupancy " + itoa(occ.Occupancy),
				Severity: "high", Text: rpmAlarmText(occ), ForcesReferral: true, Occupancy: occ.Occupancy, RaisedAt: e.At,
			})
		}
	case *FaceVerified:
		t := f.travelerByDoc(p.Document)
		if t == nil {
			t = f.newTraveler(p.Document.Key())
			t.addDocument(p.Document)
		}
		fv := *p
		t.Face = &fv
		if p.CaptureRef != "" {
			f.captures[p.CaptureRef] = t
		}
		if p.Result == FaceNoMatch {
			f.raise(Alert{
				ID: "face:" + p.Document.Key(), Type: AlertFaceNoMatch, Subject: t.Key, Severity: "high",
				Text:     "Face does not match document " + p.Document.Number + " (score " + fmtScore(p.Score) + ", threshold " + fmtScore(p.Threshold) + ")",
				RaisedAt: e.At,
			})
		}
	case *ReferenceChecked:
		f.referenceChecked(e, p)
	case *AlertAcknowledged:
		if _, seen := f.acks[p.AlertID]; !seen {
			f.acks[p.AlertID] = Stamped[AlertAcknowledged]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At}
		}
	case *Note:
		c.Notes = append(c.Notes, Stamped[Note]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *Referred:
		if c.Referral == nil {
			c.Referral = &Referral{Reasons: slices.Clone(p.Reasons), Note: p.Note, By: e.Officer, At: e.At, Origin: e.Origin}
		} else {
			// A second referral adds its reasons; the first stays the referral.
			for _, r := range p.Reasons {
				if !slices.Contains(c.Referral.Reasons, r) {
					c.Referral.Reasons = append(c.Referral.Reasons, r)
				}
			}
		}
	case *SecondaryTaken:
		c.Takes = append(c.Takes, Stamped[SecondaryTaken]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *SecondaryFinding:
		c.Findings = append(c.Findings, Stamped[SecondaryFinding]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *LSSRequested:
		x := f.lss(p.Occupancy)
		x.Requests = append(x.Requests, Stamped[LSSRequested]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *LSSAnswered:
		x := f.lss(p.Occupancy)
		x.Answers = append(x.Answers, Stamped[LSSAnswered]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *BaggageXray:
		b := *p
		c.Baggage = &b
	case *Determination:
		c.Determinations = append(c.Determinations, Stamped[Determination]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *CrossingClosed:
		if !f.closed {
			f.closed = true
			c.ClosedAt = e.At
		}
	case *BiometricForwarded:
		c.Forwards = append(c.Forwards, Stamped[BiometricForwarded]{Value: *p, EventID: e.ID, Officer: e.Officer, Origin: e.Origin, At: e.At})
	case *BiometricPurged:
		for _, t := range c.Travelers {
			if t.Face != nil && t.Face.CaptureRef == p.CaptureRef {
				t.Face.CaptureRef = ""
			}
		}
	}
}

// lss returns the reachback exchange about an occupancy, adding it at the
// end when it is the first mention.
func (f *folder) lss(occupancy int) *LSSExchange {
	for i := range f.c.LSS {
		if f.c.LSS[i].Occupancy == occupancy {
			return &f.c.LSS[i]
		}
	}
	f.c.LSS = append(f.c.LSS, LSSExchange{Occupancy: occupancy})
	return &f.c.LSS[len(f.c.LSS)-1]
}

func (f *folder) vehicle() *Vehicle {
	if f.c.Vehicle == nil {
		f.c.Vehicle = &Vehicle{}
	}
	return f.c.Vehicle
}

func (f *folder) plateRead(p *PlateRead) {
	v := f.vehicle()
	if v.Confirmed {
		// The officer's confirmation or correction stands over later reads.
		return
	}
	v.Plate, v.Region, v.Confidence = p.Plate, p.Region, p.Confidence
	v.Candidates = slices.Clone(p.Candidates)
	v.CameraID = p.CameraID
}

func (f *folder) rfidRead(p *RFIDRead) {
	var t *Traveler
	if en := p.Enrollment; en != nil {
		t = f.travelerByDoc(en.Document)
		if t == nil && en.TravelerID != "" {
			t = f.travelerByID(en.TravelerID)
		}
		if t == nil {
			t = f.newTraveler(en.Document.Key())
		}
		t.addDocument(en.Document)
		if t.Document.IsZero() {
			t.Document = en.Document
		}
		t.Program = en.Program
		fillEmpty(&t.TravelerID, en.TravelerID)
		fillEmpty(&t.Surname, en.Surname)
		fillEmpty(&t.GivenNames, en.GivenNames)
		fillEmpty(&t.BirthDate, en.BirthDate)
		for _, pl := range en.VehiclePlates {
			if !slices.Contains(t.EnrolledPlates, pl) {
				t.EnrolledPlates = append(t.EnrolledPlates, pl)
			}
		}
	} else {
		t = f.travelerByEPC(p.EPC)
		if t == nil {
			t = f.newTraveler("epc:" + p.EPC)
		}
	}
	if !slices.Contains(t.EPCs, p.EPC) {
		t.EPCs = append(t.EPCs, p.EPC)
	}
}

func (f *folder) documentKeyed(e Event, p *DocumentKeyed) {
	if p.MRZ != nil {
		f.document(e, p.Raw, p.MRZ, true)
		return
	}
	if p.Fields == nil {
		return
	}
	k := p.Fields
	doc := DocumentRef{Type: k.DocumentCode, Country: k.IssuingState, Number: k.Number}
	t := f.matchDocument(doc, k.Surname, k.BirthDate)
	t.Keyed = true
	t.Document = doc
	t.addDocument(doc)
	t.Surname, t.GivenNames, t.BirthDate, t.Sex = k.Surname, k.GivenNames, k.BirthDate, k.Sex
	t.Nationality, t.ExpiryDate = k.Nationality, k.ExpiryDate
	if k.ExpiryDate != "" && k.ExpiryDate < e.At.UTC().Format(time.DateOnly) {
		f.raise(expiredAlert(t, doc, e.At))
	}
}

// document merges a read (or keyed) MRZ into the traveller it belongs to.
func (f *folder) document(e Event, raw []string, r *mrz.Result, keyed bool) {
	doc := DocumentRef{Type: r.DocumentCode, Country: r.IssuingStateISO, Number: r.DocumentNumber}
	t := f.matchDocument(doc, r.Surname, r.BirthDate)
	res := *r
	t.MRZ = &res
	t.RawMRZ = slices.Clone(raw)
	t.Keyed = keyed
	t.Document = doc
	t.addDocument(doc)
	t.Surname, t.GivenNames, t.BirthDate, t.Sex = r.Surname, r.GivenNames, r.BirthDate, r.Sex
	t.Nationality, t.ExpiryDate = r.NationalityISO, r.ExpiryDate
	if problems := mrzProblems(r); problems != "" {
		f.raise(Alert{
			ID: "mrz:" + doc.Key(), Type: AlertMRZCheck, Subject: t.Key, Severity: "medium",
			Text: "MRZ check on " + doc.Number + ": " + problems, RaisedAt: e.At,
		})
	}
	if slices.Contains(r.Warnings, mrz.WarnExpired) {
		f.raise(expiredAlert(t, doc, e.At))
	}
}

// matchDocument finds the traveller a presented document belongs to: the
// same document, else a person already known by name and birth date (the
// RFID enrollment of the card holder presenting a passport), else a new one.
func (f *folder) matchDocument(doc DocumentRef, surname, birthDate string) *Traveler {
	if t := f.travelerByDoc(doc); t != nil {
		return t
	}
	if surname != "" && birthDate != "" {
		for _, t := range f.c.Travelers {
			if t.MRZ == nil && !t.Keyed && strings.EqualFold(t.Surname, surname) && t.BirthDate == birthDate {
				return t
			}
		}
	}
	return f.newTraveler(doc.Key())
}

func (f *folder) referenceChecked(e Event, p *ReferenceChecked) {
	if plate, ok := strings.CutPrefix(p.Subject, "plate:"); ok {
		for _, h := range p.Hits {
			f.raise(Alert{
				ID: "hit:" + string(h.Type) + ":" + h.ID + ":" + p.Subject, Type: AlertPlate, Subject: plate,
				Severity: h.Severity, Text: hitText("Plate "+plate, h), RaisedAt: e.At,
			})
		}
		return
	}
	t := f.travelerByKey(p.Subject)
	if t == nil && p.TravelerID != "" {
		t = f.travelerByID(p.TravelerID)
	}
	if t == nil {
		t = f.newTraveler(p.Subject)
		if country, number, ok := strings.Cut(p.Subject, "/"); ok {
			t.addDocument(DocumentRef{Country: country, Number: number})
		}
	}
	t.Checked = true
	fillEmpty(&t.TravelerID, p.TravelerID)
	if p.Citizenship != "" {
		t.Citizenship = p.Citizenship
	}
	if p.Status != "" {
		t.Status = p.Status
	}
	for _, h := range p.Hits {
		typ := AlertLookout
		switch h.Type {
		case HitLostStolen:
			typ = AlertLostStolen
		case HitStatus:
			typ = AlertStatus
		}
		f.raise(Alert{
			ID: "hit:" + string(h.Type) + ":" + h.ID + ":" + p.Subject, Type: typ, Subject: t.Key,
			Severity: h.Severity, Text: hitText(t.DisplayName(), h), RaisedAt: e.At,
		})
	}
}

// raise adds an alert unless one with the same id is already raised.
func (f *folder) raise(a Alert) {
	for _, x := range f.c.Alerts {
		if x.ID == a.ID {
			return
		}
	}
	f.c.Alerts = append(f.c.Alerts, &a)
}

// finish derives what depends on the whole record: alerts that need two
// facts, acknowledgements and the status.
func (f *folder) finish() {
	c := f.c
	if v := c.Vehicle; v != nil && v.Plate != "" {
		for _, t := range c.Travelers {
			if t.Program != "SENTRI" {
				continue
			}
			plates := t.EnrolledPlates
			if len(plates) > 0 && !slices.Contains(plates, v.Key()) {
				f.raise(Alert{
					ID: "vehicle:" + v.Key(), Type: AlertNotEnrolled, Subject: v.Key(), Severity: "medium",
					Text:     "Vehicle " + v.Key() + " is not enrolled in SENTRI for " + t.DisplayName(),
					RaisedAt: c.LastAt,
				})
			}
		}
	}
	if c.Mode == ModeVehicle && c.RPM == nil && len(c.Travelers) > 0 {
		// Raised last, so it goes away by itself when the portal's result
		// arrives before the officer decides.
		f.raise(Alert{
			ID: "rpm:missing", Type: AlertNoRPM, Subject: "vehicle", Severity: "medium",
			Text:     "No radiation portal scan recorded for this vehicle: scan it (handheld or re-run) before admitting",
			RaisedAt: c.LastAt,
		})
	}
	c.Integrity.OpeningMissing = !f.opened
	if !f.opened {
		c.Integrity.BeforeOpening = c.Events
	}
	for _, a := range c.Alerts {
		if ack, ok := f.acks[a.ID]; ok {
			a.Acknowledged, a.AckedBy, a.AckedAt = true, ack.Officer, ack.At
		}
	}
	// After every event: a forward ordered before its face result (clock
	// skew) still reaches the traveller.
	for _, fw := range c.Forwards {
		if t := f.captures[fw.Value.CaptureRef]; t != nil && t.BiometricRef == "" {
			t.BiometricRef = fw.Value.BiometricRef
		}
	}
	f.finishSecondary()
	switch {
	case f.closed:
		c.Status = StatusClosed
	case c.Determination != nil:
		c.Status = StatusDetermined
	case c.Referral != nil:
		c.Status = StatusReferred
	default:
		c.Status = StatusOpen
	}
}

func (f *folder) newTraveler(key string) *Traveler {
	t := &Traveler{Key: key}
	f.c.Travelers = append(f.c.Travelers, t)
	return t
}

func (f *folder) travelerByKey(key string) *Traveler {
	for _, t := range f.c.Travelers {
		if t.Key == key {
			return t
		}
		for _, d := range t.Documents {
			if d.Key() == key {
				return t
			}
		}
	}
	return nil
}

func (f *folder) travelerByDoc(d DocumentRef) *Traveler {
	if d.IsZero() {
		return nil
	}
	return f.travelerByKey(d.Key())
}

func (f *folder) travelerByID(id string) *Traveler {
	for _, t := range f.c.Travelers {
		if t.TravelerID == id {
			return t
		}
	}
	return nil
}

func (f *folder) travelerByEPC(epc string) *Traveler {
	for _, t := range f.c.Travelers {
		if slices.Contains(t.EPCs, epc) {
			return t
		}
	}
	return nil
}

func (t *Traveler) addDocument(d DocumentRef) {
	if d.IsZero() {
		return
	}
	for _, x := range t.Documents {
		if x.Key() == d.Key() {
			return
		}
	}
	t.Documents = append(t.Documents, d)
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
