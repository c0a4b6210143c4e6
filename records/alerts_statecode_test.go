package records

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// td3 lays out a passport MRZ with correct check digits; state and nat are
// written as the MRZ holds them (padded with '<').
func td3(t *testing.T, state, nat, number string) []string {
	t.Helper()
	padTo := func(s string, n int) string { return s + strings.Repeat("<", n-len(s)) }
	cd := func(s string) string {
		c, ok := mrz.CheckDigit(s)
		if !ok {
			t.Fatalf("no check digit for %q", s)
		}
		return string(c)
	}
	l1 := "P<" + padTo(state, 3) + padTo("FLORES<<ANA", 39)
	num, birth, expiry, pn := padTo(number, 9), "850612", "310611", padTo("", 14)
	l2 := num + cd(num) + padTo(nat, 3) + birth + cd(birth) + "F" + expiry + cd(expiry) + pn + "<"
	return []string{l1, l2 + cd(l2[0:10]+l2[13:20]+l2[21:43])}
}

func parseMRZ(t *testing.T, lines []string) mrz.Result {
	t.Helper()
	r, err := mrz.ParseLines(lines, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("ParseLines(%q): %v", lines, err)
	}
	return *r
}

// An issuing state or nationality that ICAO 9303 does not know raises the
// same document alert as a failed MRZ check, naming the field, even though
// the MRZ itself is valid; known codes raise nothing.
func TestFoldUnknownStateCodeIsDocumentProblem(t *testing.T) {
	tests := []struct {
		name      string
		mrz       func(t *testing.T) mrz.Result
		keyed     bool
		wantAlert bool
		wantText  []string // substrings of the alert text
	}{
		{name: "issuing state ASU", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "ASU", "PRY", "AB1234567")) },
			wantAlert: true, wantText: []string{`issuing state "ASU" is not an ICAO 9303 state code`}},
		{name: "nationality BOS", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "USA", "BOS", "AB1234567")) },
			wantAlert: true, wantText: []string{`nationality "BOS" is not an ICAO 9303 state code`}},
		{name: "both unknown, keyed MRZ", keyed: true, mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "XKX", "ZZZ", "AB1234567")) },
			wantAlert: true, wantText: []string{`issuing state "XKX" and nationality "ZZZ" are not ICAO 9303 state codes`}},
		{name: "unknown code on an invalid MRZ: both problems in one alert", mrz: func(t *testing.T) mrz.Result {
			l := td3(t, "ASU", "PRY", "AB1234567")
			l[1] = "AB1234568" + l[1][9:] // document number no longer matches its check digit
			return parseMRZ(t, l)
		}, wantAlert: true, wantText: []string{"document number check digit", `issuing state "ASU"`}},
		{name: "warning stored by a booth whose list lacked a code since added", mrz: func(t *testing.T) mrz.Result {
			r := parseMRZ(t, td3(t, "MEX", "MEX", "AB1234567"))
			r.Warnings = append(r.Warnings, mrz.WarnUnknownStateCode)
			return r
		}, wantAlert: true, wantText: []string{"state code not known to ICAO 9303"}},
		{name: "Mexico", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "MEX", "MEX", "AB1234567")) }},
		{name: "Germany as D", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "D", "D", "AB1234567")) }},
		{name: "refugee travel document", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "USA", "XXB", "AB1234567")) }},
		{name: "Kosovo RKS", mrz: func(t *testing.T) mrz.Result { return parseMRZ(t, td3(t, "RKS", "RKS", "AB1234567")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.mrz(t)
			l := newLog(t, "b1")
			l.add("", CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle})
			l.add("", RPMOccupancy{Occupancy: 41}) // clean portal pass
			if tt.keyed {
				l.add("A1", DocumentKeyed{MRZ: &r})
			} else {
				l.add("", DocumentRead{MRZ: r})
			}
			c := Fold(l.events)
			if !tt.wantAlert {
				if len(c.Alerts) != 0 {
					t.Fatalf("known codes raised %+v (warnings %q)", c.Alerts[0], r.Warnings)
				}
				if ok, why := c.CanAdmit(); !ok {
					t.Errorf("clean document not admissible: %s", why)
				}
				return
			}
			if len(c.Alerts) != 1 {
				t.Fatalf("want 1 alert, got %+v", c.Alerts)
			}
			a := c.Alerts[0]
			key := DocumentRef{Type: r.DocumentCode, Country: r.IssuingStateISO, Number: r.DocumentNumber}.Key()
			if a.Type != AlertMRZCheck || a.ID != "mrz:"+key || a.ForcesReferral || a.Subject != c.Travelers[0].Key {
				t.Errorf("alert %+v, want an mrz_check document alert on %s", a, key)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(a.Text, s) {
					t.Errorf("alert text %q lacks %q", a.Text, s)
				}
			}
			if ok, _ := c.CanAdmit(); ok {
				t.Error("admissible with the state-code alert unacknowledged")
			}
			l.add("A1", AlertAcknowledged{AlertID: a.ID})
			c = Fold(l.events)
			if ok, why := c.CanAdmit(); !ok || !c.Alerts[0].Acknowledged {
				t.Errorf("after acknowledging: CanAdmit %v (%s), alert %+v", ok, why, c.Alerts[0])
			}
		})
	}
}
