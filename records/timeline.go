package records

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimelineEntry is one event of a crossing as the timeline shows it.
type TimelineEntry struct {
	At      time.Time
	EventID string
	Kind    Kind
	// Source is who recorded it: "officer@workstation" for an officer's
	// event, the device for a device's ("RPM", "plate reader"…), the
	// workstation for its own (crossing opened or closed).
	Source  string
	Officer string
	Origin  string
	// Text is one line describing the event.
	Text string
	// Unreadable is set for an event this build cannot decode (newer
	// schema, unknown kind); Text then says so.
	Unreadable bool
}

// Timeline returns the events of one crossing as timeline entries in fold
// order (At, then ID), duplicates removed. It is pure, so the open crossing
// and its replay show the same lines.
func Timeline(events []Event) []TimelineEntry {
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
	out := make([]TimelineEntry, 0, len(evs))
	for _, e := range evs {
		out = append(out, TimelineOf(e))
	}
	return out
}

// TimelineOf describes one event.
func TimelineOf(e Event) TimelineEntry {
	te := TimelineEntry{At: e.At, EventID: e.ID, Kind: e.Kind, Officer: e.Officer, Origin: e.Origin}
	p, err := e.Decode()
	if err != nil {
		te.Unreadable = true
		te.Source = source(e.Officer, e.Origin)
		te.Text = fmt.Sprintf("%s (schema %d): this build cannot read it", e.Kind, e.Schema)
		return te
	}
	te.Source = deviceName(e.Kind)
	if e.Officer != "" || te.Source == "" {
		// An officer's event, or the workstation's own (opening,
		// closing): who and where.
		te.Source = source(e.Officer, e.Origin)
	}
	te.Text = describe(p)
	return te
}

// deviceName names what records an event without an officer.
func deviceName(k Kind) string {
	switch k {
	case KindRFIDRead:
		return "RFID reader"
	case KindDocumentRead:
		return "document reader"
	case KindPlateRead:
		return "plate reader"
	case KindRPMOccupancy:
		return "RPM"
	case KindFaceVerified:
		return "face matcher"
	case KindReferenceChecked:
		return "reference data"
	case KindBiometricPurged:
		return "retention"
	case KindBiometricForwarded:
		return "biometric forward"
	}
	return ""
}

// describe is the one-line text of a payload.
func describe(p Payload) string {
	switch p := p.(type) {
	case *CrossingOpened:
		return fmt.Sprintf("Crossing opened at port %s lane %s (%s, by %s)", p.Port, p.Lane, p.Mode, orDash(p.Trigger))
	case *RFIDRead:
		if en := p.Enrollment; en != nil {
			return fmt.Sprintf("%s card %s: %s", en.Program, en.Document.Number, joinName(en.Surname, en.GivenNames))
		}
		return "Unknown RFID tag " + p.EPC
	case *DocumentRead:
		return "Document read: " + mrzLine(p.MRZ.DocumentCode, p.MRZ.IssuingStateISO, p.MRZ.DocumentNumber, p.MRZ.Surname, p.MRZ.GivenNames, p.MRZ.Valid)
	case *DocumentKeyed:
		if p.MRZ != nil {
			return "Document keyed (MRZ): " + mrzLine(p.MRZ.DocumentCode, p.MRZ.IssuingStateISO, p.MRZ.DocumentNumber, p.MRZ.Surname, p.MRZ.GivenNames, p.MRZ.Valid)
		}
		if k := p.Fields; k != nil {
			return fmt.Sprintf("Document keyed: %s %s %s, %s", k.DocumentCode, k.IssuingState, k.Number, joinName(k.Surname, k.GivenNames))
		}
		return "Document keyed"
	case *PlateRead:
		s := fmt.Sprintf("Plate %s/%s read (%.0f%%)", p.Region, p.Plate, p.Confidence)
		if n := len(p.Candidates); n > 0 {
			s += ", " + strconv.Itoa(n) + " candidate(s)"
		}
		return s
	case *PlateConfirmed:
		if p.Corrected {
			return fmt.Sprintf("Plate corrected to %s/%s", p.Region, p.Plate)
		}
		return fmt.Sprintf("Plate %s/%s confirmed", p.Region, p.Plate)
	case *RPMOccupancy:
		if !p.Alarm() {
			return fmt.Sprintf("RPM occupancy %d clear (gamma max %d, background %d)", p.Occupancy, p.MaxGamma, p.BackgroundGamma)
		}
		return rpmAlarmText(*p) + fmt.Sprintf(" (gamma max %d, neutron max %d)", p.MaxGamma, p.MaxNeutron)
	case *FaceVerified:
		s := fmt.Sprintf("Face %s against %s (score %s, threshold %s)", strings.ReplaceAll(string(p.Result), "_", " "), p.Document.Number, fmtScore(p.Score), fmtScore(p.Threshold))
		if p.Detail != "" {
			s += ": " + p.Detail
		}
		return s
	case *ReferenceChecked:
		if len(p.Hits) == 0 {
			return "Reference check " + p.Subject + ": no hits" + statusSuffix(p)
		}
		var hits []string
		for _, h := range p.Hits {
			hits = append(hits, hitText(p.Subject, h))
		}
		return "Reference check " + p.Subject + statusSuffix(p) + ": " + strings.Join(hits, "; ")
	case *AlertAcknowledged:
		s := "Alert " + p.AlertID + " acknowledged"
		if p.Comment != "" {
			s += ": " + p.Comment
		}
		return s
	case *Note:
		return "Note: " + p.Text
	case *Referred:
		s := "Referred to secondary: " + strings.Join(p.Reasons, ", ")
		if p.Note != "" {
			s += " — " + p.Note
		}
		return s
	case *SecondaryTaken:
		s := "Referral taken"
		if p.Note != "" {
			s += ": " + p.Note
		}
		return s
	case *SecondaryFinding:
		s := "Finding (" + p.Category.Label() + ")"
		if p.Category == FindingSeizure || p.Item != "" {
			s += ": seized " + p.Quantity + " " + p.Item
			if p.Text != "" {
				s += " — " + p.Text
			}
			return s
		}
		return s + ": " + p.Text
	case *LSSRequested:
		s := "LSS reachback requested for occupancy " + strconv.Itoa(p.Occupancy)
		if p.Note != "" {
			s += ": " + p.Note
		}
		return s
	case *LSSAnswered:
		s := "LSS answer for occupancy " + strconv.Itoa(p.Occupancy) + ": "
		if p.Code.Valid() {
			var isos []string
			for _, i := range p.Isotopes {
				isos = append(isos, string(i))
			}
			s += p.Code.String() + " [" + strings.Join(isos, ", ") + "]"
		} else {
			s += p.Answer + " (no adjudication code)"
		}
		if p.Note != "" {
			s += " — " + p.Note
		}
		return s
	case *BaggageXray:
		s := "Baggage x-ray: " + p.Outcome
		if p.Note != "" {
			s += " — " + p.Note
		}
		return s
	case *Determination:
		s := "Determination: " + p.Outcome.Label()
		if p.Agency != "" {
			s += " (" + p.Agency + ")"
		}
		if p.Supersedes != "" {
			s += ", correcting " + p.Supersedes
		}
		if p.Note != "" {
			s += " — " + p.Note
		}
		return s
	case *CrossingClosed:
		return "Crossing closed"
	case *BiometricPurged:
		return "Face capture deleted by retention (" + p.Reason + ")"
	case *BiometricForwarded:
		return "Face capture forwarded to the biometric system, ref " + p.BiometricRef + " (capture " + p.CaptureRef + ")"
	}
	return string(p.Kind())
}

func statusSuffix(p *ReferenceChecked) string {
	var parts []string
	if p.Citizenship != "" {
		parts = append(parts, p.Citizenship)
	}
	if p.Status != "" {
		parts = append(parts, p.Status)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}

func mrzLine(code, country, number, surname, given string, valid bool) string {
	s := fmt.Sprintf("%s %s %s, %s", code, country, number, joinName(surname, given))
	if !valid {
		s += " (MRZ INVALID)"
	}
	return s
}

func joinName(surname, given string) string {
	return Traveler{Surname: surname, GivenNames: given}.DisplayName()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
