package main

import (
	"testing"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore/biometric"
	"github.com/portofentry/booth/tui"
)

// Fixture people (hardware/simulator/fixtures).
const (
	fixtureEPCGarcia      = "E2003411B802011516121234" // T0001, SENTRI, US-CA/7ABC123
	fixtureEPCGarciaLopez = "E2003411B802011516125678" // T0002
)

var fixtureHernandez = simulator.MRZFields{DocumentCode: "P", IssuingState: "MEX", DocumentNumber: "G12345678", Surname: "HERNANDEZ",
	GivenNames: "SOFIA", Nationality: "MEX", BirthDate: "1993-06-14", Sex: "F", ExpiryDate: "2031-01-22"} // lost/stolen LS0001

// A SENTRI car on the real store: the enrollment and reference data come
// from the store, one key admits it, and the next time the traveller
// crosses the history shows this crossing.
func TestTUIOnStoreCleanSentriAndHistory(t *testing.T) {
	h := newTUIHarness(t, "", records.ModeVehicle)
	h.login()
	h.tag(fixtureEPCGarcia)
	h.now = h.now.Add(1500 * time.Millisecond)
	h.tag(fixtureEPCGarciaLopez)
	h.now = h.now.Add(5 * time.Second)
	h.occupancy(false)
	h.now = h.now.Add(3 * time.Second)
	h.plate("7abc123", "us-ca", 93.4)
	mustShow(t, h.view(), "GARCIA, MARIA ELENA", "GARCIA LOPEZ, DIEGO ANDRES", "USA/USC", "MEX/LPR", "✔ clear — admit with a")
	h.key("a")
	mustShow(t, h.view(), "✔ saved: admitted 7ABC123")
	hs, err := h.store.HistoryByPlate(t.Context(), "US-CA", "7ABC123", 5)
	if err != nil || len(hs) != 1 || hs[0].Outcome != records.OutcomeAdmitted {
		t.Fatalf("admission not in the store: %+v %v", hs, err)
	}
	h.now = h.now.Add(time.Hour)
	h.tag(fixtureEPCGarcia)
	mustShow(t, h.view(), "GARCIA, MARIA ELENA — 1 prior", "admitted")
	if n := h.checkOpenings(records.ModeVehicle); n != 2 {
		t.Fatalf("%d crossings stored, want 2", n)
	}
}

// The reproduction on the real store: a face no-match, the officer
// opens the refer dialog, the gamma alarm arrives 8 s later, enter. The
// stored referral carries RPM.
func TestTUIOnStoreReferralKeepsAlarmThatArrivedWhileOpen(t *testing.T) {
	h := newTUIHarness(t, "", records.ModeVehicle)
	h.faces.set(fixtureHernandez.DocumentNumber, "no_match")
	h.login()
	h.passport(fixtureHernandez)
	mustShow(t, h.view(), "✖ NO MATCH")
	h.key("r")
	mustShow(t, h.view(), "REFER TO SECONDARY", "[ ] RPM")
	h.now = h.now.Add(8 * time.Second)
	h.occupancy(true)
	mustShow(t, h.view(), "[x] RPM", "(mandatory)")
	h.key("enter")
	mustShow(t, h.view(), "✔ saved: referred to secondary (RPM")
	ids := h.crossingIDs()
	if len(ids) != 1 {
		t.Fatalf("crossings %v", ids)
	}
	c, err := h.store.Crossing(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Referral == nil || !containsString(c.Referral.Reasons, records.ReasonRPMAlarm) || !containsString(c.Referral.Reasons, records.ReasonIdentity) {
		t.Fatalf("referral %+v", c.Referral)
	}
	h.checkOpenings(records.ModeVehicle)
}

// A face capture goes to the biometric store (never the event log) under
// the retention class of the traveller's established citizenship.
func TestTUIOnStoreKeepsCaptureInBiometricStore(t *testing.T) {
	h := newTUIHarness(t, "", records.ModePedestrian)
	h.login()
	h.passport(fixtureHernandez)
	mustShow(t, h.view(), "HERNANDEZ, SOFIA", "✔ MATCH 0.93/0.80", "LIVE", "ON FILE")
	capt, err := h.bio.Capture(t.Context(), "cap-"+fixtureHernandez.DocumentNumber)
	if err != nil || len(capt.PNG) == 0 {
		t.Fatalf("capture not kept: %v", err)
	}
	if capt.Citizenship != biometric.CitizenNonUSC {
		t.Fatalf("kept as %q, want non_usc", capt.Citizenship)
	}
}

// The TUI's retention classes are the biometric store's, value for value.
func TestCitizenshipClassesMatchBiometricStore(t *testing.T) {
	for _, c := range []struct {
		tui   tui.Citizenship
		store biometric.CitizenshipStatus
	}{{tui.CitizenshipUSC, biometric.CitizenUSC}, {tui.CitizenshipNonUSC, biometric.CitizenNonUSC}, {tui.CitizenshipUnknown, biometric.CitizenUnknown}} {
		if string(c.tui) != string(c.store) {
			t.Errorf("tui %q is store %q", c.tui, c.store)
		}
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
