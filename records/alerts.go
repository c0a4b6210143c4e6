package records

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// Unacknowledged returns the alerts still waiting for the officer.
func (c *Crossing) Unacknowledged() []*Alert {
	var out []*Alert
	for _, a := range c.Alerts {
		if !a.Acknowledged {
			out = append(out, a)
		}
	}
	return out
}

// Alert returns the alert with the given id, or nil.
func (c *Crossing) Alert(id string) *Alert {
	for _, a := range c.Alerts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Traveler returns the traveller known by key or by any of their document
// keys, or nil.
func (c *Crossing) Traveler(key string) *Traveler {
	for _, t := range c.Travelers {
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

// MustRefer reports whether the crossing can only end in secondary (an RPM
// alarm), with the reason to show the officer.
func (c *Crossing) MustRefer() (bool, string) {
	for _, a := range c.Alerts {
		if a.ForcesReferral {
			return true, a.Text + " — referral to secondary is mandatory"
		}
	}
	return false, ""
}

// CanAdmit reports whether the officer may admit the crossing now and, when
// not, why. Admission needs an open crossing with at least one traveller,
// every alert acknowledged, and no alert that forces referral.
func (c *Crossing) CanAdmit() (bool, string) {
	switch c.Status {
	case StatusReferred:
		return false, "crossing is referred to secondary"
	case StatusDetermined, StatusClosed:
		return false, "crossing already has a determination"
	}
	if must, why := c.MustRefer(); must {
		return false, why
	}
	if len(c.Travelers) == 0 {
		return false, "no traveller identified yet"
	}
	if n := len(c.Unacknowledged()); n > 0 {
		return false, strconv.Itoa(n) + " alert(s) not acknowledged"
	}
	return true, ""
}

func expiredAlert(t *Traveler, doc DocumentRef, at time.Time) Alert {
	return Alert{
		ID: "expired:" + doc.Key(), Type: AlertExpired, Subject: t.Key, Severity: "medium",
		Text: "Document " + doc.Number + " (" + doc.Country + ") expired " + t.ExpiryDate, RaisedAt: at,
	}
}

func rpmAlarmText(o RPMOccupancy) string {
	var kinds []string
	if o.GammaAlarm {
		kinds = append(kinds, "GAMMA")
	}
	if o.NeutronAlarm {
		kinds = append(kinds, "NEUTRON")
	}
	if o.Incomplete {
		return "RPM " + strings.Join(kinds, "+") + " alarm during an occupancy the monitor never closed"
	}
	return "RPM " + strings.Join(kinds, "+") + " alarm on occupancy " + itoa(o.Occupancy)
}

func hitText(who string, h Hit) string {
	var label string
	switch h.Type {
	case HitLostStolen:
		label = "LOST/STOLEN document"
	case HitStatus:
		label = "STATUS problem"
	default:
		label = "LOOKOUT"
	}
	s := label + " (" + h.Severity + "): " + who
	if h.Detail != "" {
		s += " — " + strings.TrimRight(h.Detail, ". ")
	}
	if h.Instruction != "" {
		s += ". " + h.Instruction
	}
	return s
}

// mrzProblems says what is wrong with a read MRZ as a document problem for
// the officer, "" when nothing is: its errors when invalid, and a state code
// ICAO 9303 does not know (a valid MRZ may still carry one: forged or
// misread).
func mrzProblems(r *mrz.Result) string {
	var p []string
	switch {
	case r.Valid:
	case len(r.Errors) > 0:
		p = append(p, r.Errors...)
	default:
		p = append(p, "invalid")
	}
	if slices.Contains(r.Warnings, mrz.WarnUnknownStateCode) {
		p = append(p, unknownStateText(r))
	}
	return strings.Join(p, "; ")
}

// unknownStateText names the state fields that are not ICAO 9303 codes. The
// warning was stored with the read; if this build's list knows both codes
// (a code added since), the warning is still shown, without a field.
func unknownStateText(r *mrz.Result) string {
	var fields []string
	for _, f := range []struct{ label, code string }{
		{"issuing state", r.IssuingState}, {"nationality", r.Nationality},
	} {
		if _, ok := mrz.StateName(f.code); !ok {
			fields = append(fields, f.label+" "+strconv.Quote(f.code))
		}
	}
	if len(fields) == 0 {
		return "state code not known to ICAO 9303 (forged or misread?)"
	}
	if len(fields) == 1 {
		return fields[0] + " is not an ICAO 9303 state code (forged or misread?)"
	}
	return strings.Join(fields, " and ") + " are not ICAO 9303 state codes (forged or misread?)"
}

func itoa(i int) string { return strconv.Itoa(i) }

func fmtScore(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
