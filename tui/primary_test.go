package tui

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

func TestLoginRejectsBadPINAndAcceptsGood(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LoginHint = "DEMO — badge X PIN Y" })
	mustContain(t, e.view(), "SIGN IN", "DEMO — badge X PIN Y")
	e.typeText(testBadge)
	e.keys("enter")
	e.typeText("000000")
	e.keys("enter")
	if e.m.officer != nil {
		t.Fatal("signed in with a wrong PIN")
	}
	mustContain(t, e.view(), "✖ badge or PIN not accepted")
	e.typeText(testPIN)
	e.keys("enter")
	if e.m.officer == nil || e.m.officer.Badge != testBadge {
		t.Fatalf("not signed in: %s", e.view())
	}
	mustContain(t, e.view(), "TEST OFFICER", "Lane idle")
}

func TestCleanSentriAdmittedWithOneKey(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	// Pre-arrival: the cards are read before the car reaches the booth.
	e.tag(epcGarcia)
	e.advance(1500 * time.Millisecond)
	e.tag(epcGarciaLopez)
	id := e.m.ws.lane.Current()
	if id == "" {
		t.Fatal("card read did not open a crossing")
	}
	e.advance(5 * time.Second)
	e.occupancy(false)
	e.advance(3 * time.Second)
	e.plate("7abc123", "us-ca", 93.4)
	v := e.view()
	mustContain(t, v, "GARCIA, MARIA ELENA", "GARCIA LOPEZ, DIEGO ANDRES", "7ABC123", "✔ CLEAR", "✔ clear — admit with a", "no prior crossings")
	// Known by their SENTRI cards only, the travellers' citizenship and
	// status still come from the record their enrollment names.
	mustContain(t, v, "USA/USC", "MEX/LPR")

	e.keys("a")
	mustContain(t, e.view(), "✔ saved: admitted 7ABC123")
	kinds := e.stored(id)
	for _, k := range []records.Kind{records.KindCrossingOpened, records.KindRFIDRead, records.KindRPMOccupancy,
		records.KindPlateRead, records.KindReferenceChecked, records.KindDetermination, records.KindCrossingClosed} {
		if !hasKind(kinds, k) {
			t.Errorf("stored events %v lack %s", kinds, k)
		}
	}
	c := e.fold(id)
	if c.Status != records.StatusClosed || c.Determination == nil || c.Determination.Value.Outcome != records.OutcomeAdmitted {
		t.Fatalf("crossing %+v", c)
	}
	if c.Determination.Officer != testBadge {
		t.Errorf("determination by %q, want %q", c.Determination.Officer, testBadge)
	}
	if e.m.ws.lane.Current() != "" {
		t.Error("booth did not move on after admit")
	}
	e.checkOpenings()
}

func TestRPMAlarmForcesReferral(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.tag(epcGarcia)
	e.advance(4 * time.Second)
	e.occupancy(true)
	id := e.m.ws.lane.Current()
	mustContain(t, e.view(), "referral to secondary is mandatory", "✖ GAMMA ALARM")

	// Even with the alarm acknowledged, admit is refused with the reason.
	e.keys("space")
	e.keys("a")
	mustContain(t, e.view(), "✖ cannot admit", "mandatory")
	if hasKind(e.stored(id), records.KindDetermination) {
		t.Fatal("admitted despite an RPM alarm")
	}

	e.keys("r")
	mustContain(t, e.view(), "REFER TO SECONDARY", "[x] RPM")
	// The mandatory reason cannot be unticked.
	e.keys("space")
	mustContain(t, e.view(), "must stay among the reasons")
	e.keys("tab")
	e.typeText("NORM suspected")
	e.keys("enter")
	mustContain(t, e.view(), "✔ saved: referred to secondary (RPM)")
	c := e.fold(id)
	if c.Status != records.StatusReferred || c.Referral == nil || c.Referral.Note != "NORM suspected" {
		t.Fatalf("referral not stored: %+v", c.Referral)
	}
}

func TestAlertsMustBeAcknowledgedBeforeAdmit(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.login()
	e.passport(hernandez)
	id := e.m.ws.lane.Current()
	v := e.view()
	mustContain(t, v, "HERNANDEZ, SOFIA", "⚠ LOST", "[ACK?]", "✔ MATCH 0.93/0.80", "LIVE", "ON FILE")

	e.keys("a")
	mustContain(t, e.view(), "✖ cannot admit", "not acknowledged")
	// The live capture is in the biometric store, not the event log; a
	// Mexican citizen's is kept as a non-citizen's and referenced.
	capt, ok := e.bio.get("cap-" + hernandez.DocumentNumber)
	if !ok || len(capt.PNG) == 0 || capt.CrossingID != id || capt.Citizenship != CitizenshipNonUSC {
		t.Fatalf("capture not kept: %+v %v", capt.CrossingID, ok)
	}

	for range len(e.m.ws.current().c.Unacknowledged()) {
		e.keys("space")
		e.keys("down")
	}
	if n := len(e.m.ws.current().c.Unacknowledged()); n != 0 {
		t.Fatalf("%d alerts left after acknowledging each", n)
	}
	mustContain(t, e.view(), "[ACK "+testBadge+"]")
	e.keys("x", "enter") // baggage x-ray: clear
	e.keys("a")
	kinds := e.stored(id)
	for _, k := range []records.Kind{records.KindAlertAcknowledged, records.KindFaceVerified, records.KindBaggageXray, records.KindDetermination} {
		if !hasKind(kinds, k) {
			t.Errorf("stored events %v lack %s", kinds, k)
		}
	}
}

func TestFaceNoMatchAndUnavailable(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.faces.set(thompson.DocumentNumber, records.FaceNoMatch)
	e.login()
	e.passport(thompson)
	mustContain(t, e.view(), "✖ NO MATCH 0.31/0.80", "⚠ Face does not match", "expired", "inspect manually")

	e.keys("v")
	e.faces.mu.Lock()
	e.faces.down = true // the matcher goes away
	e.faces.mu.Unlock()
	e.advance(time.Minute)
	e.passport(hernandez)
	mustContain(t, e.view(), "? UNAVAILABLE — verify manually")
}

func TestLowConfidencePlateConfirmAndCorrect(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.plate("8XKR442", "us-tx", 61.5, hardware.PlateCandidate{Plate: "8XKR442", Confidence: 61.5},
		hardware.PlateCandidate{Plate: "BXKR442", Confidence: 58.2})
	id := e.m.ws.lane.Current()
	mustContain(t, e.view(), "⚠ 62% confirm (p)", "BXKR442")
	e.keys("p", "down", "enter")
	mustContain(t, e.view(), "✔ saved: plate corrected to US-TX/BXKR442", "✔ corrected")
	c := e.fold(id)
	if c.Vehicle == nil || c.Vehicle.Plate != "BXKR442" || !c.Vehicle.Corrected {
		t.Fatalf("vehicle %+v", c.Vehicle)
	}
}

func TestManualDocumentEntry(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.keys("m")
	mustContain(t, e.view(), "KEY DOCUMENT BY HAND")
	e.keys("enter")
	mustContain(t, e.view(), "key the MRZ lines, or at least")
	for range 3 {
		e.keys("tab")
	}
	for _, f := range []string{"P", "USA", "561234567", "GARCIA", "MARIA ELENA", "USA", "1984-03-17", "F", "2031-05-01"} {
		e.typeText(f)
		e.keys("tab")
	}
	e.keys("enter")
	mustContain(t, e.view(), "✔ saved: document keyed", "GARCIA, MARIA ELENA", "⌨ KEYED")
	if kinds := e.stored(e.m.ws.lane.Current()); !hasKind(kinds, records.KindDocumentKeyed) || !hasKind(kinds, records.KindCrossingOpened) {
		t.Fatalf("stored %v", kinds)
	}
}

func TestNoteIsSaved(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.tag(epcGarcia)
	e.keys("n")
	e.typeText("driver nervous")
	e.keys("enter")
	mustContain(t, e.view(), "✔ saved: note")
	c := e.fold(e.m.ws.lane.Current())
	if len(c.Notes) != 1 || c.Notes[0].Value.Text != "driver nervous" || c.Notes[0].Officer != testBadge {
		t.Fatalf("notes %+v", c.Notes)
	}
}

func TestReadOnlyUnbindsWrites(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Role = "supervisor" })
	e.login()
	e.tag(epcGarcia)
	if id := e.m.ws.lane.Current(); id != "" {
		t.Fatalf("read-only workstation recorded a device reading (crossing %s)", id)
	}
	e.keys("a", "n", "r", "space", "m", "p")
	if e.m.dialog != nil {
		t.Fatal("a write dialog opened in read-only mode")
	}
	if ids := e.log.crossings(); len(ids) != 0 {
		t.Fatalf("read-only workstation wrote crossings: %v", ids)
	}
	for _, b := range []string{"admit", "refer", "note"} {
		if strings.Contains(e.m.c.help.View(e.m.primary), b) {
			t.Errorf("help bar offers %q in read-only mode", b)
		}
	}
}

func TestIdleLockAndUnlock(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.IdleLock = time.Minute })
	e.login()
	e.advance(61 * time.Second)
	e.send(tickMsg(e.now))
	mustContain(t, e.view(), "SCREEN LOCKED", testBadge)
	e.keys("a") // typed into the PIN field, not an admit
	e.keys("enter")
	mustContain(t, e.view(), "SCREEN LOCKED")
	for range 1 {
		e.send(keyMsg("esc"))
	}
	mustContain(t, e.view(), "SIGN IN")
	e.login()
	e.keys("ctrl+l")
	mustContain(t, e.view(), "SCREEN LOCKED")
	e.typeText(testPIN)
	e.keys("enter")
	mustContain(t, e.view(), "Lane idle")
}

func TestViewFitsTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {100, 30}, {60, 20}} {
		e := newTestEnv(t, nil)
		e.login()
		e.tag(epcGarcia)
		e.tag(epcGarciaLopez)
		e.occupancy(true)
		e.plate("7ABC123", "us-ca", 70, hardware.PlateCandidate{Plate: "7ABC123", Confidence: 70}, hardware.PlateCandidate{Plate: "7A8C123", Confidence: 60})
		e.passport(hernandez)
		for _, dialog := range []string{"", "?", "r"} {
			e.send(keyMsg("esc"))
			if dialog != "" {
				e.keys(dialog)
			}
			e.send(tea_WindowSize(size[0], size[1]))
			v := e.view()
			lines := strings.Split(v, "\n")
			if len(lines) > size[1] {
				t.Errorf("%dx%d %q: %d lines", size[0], size[1], dialog, len(lines))
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Errorf("%dx%d %q: line %d is %d wide: %q", size[0], size[1], dialog, i, w, l)
				}
			}
		}
	}
}

func TestNoColorFallsBackToText(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.NoColor = true; c.Mode = records.ModePedestrian })
	e.login()
	e.passport(hernandez)
	v := e.m.View().Content
	mustContain(t, v, "live capture: 48×64 image", "✔ MATCH", "⚠ LOST")
	if strings.Contains(v, "\x1b[38;2") {
		t.Fatal("colour escape in NO_COLOR view")
	}
}

func TestDeviceDisconnectShown(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.device(hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindStatus, Status: &hardware.Status{State: hardware.StateConnected}})
	mustContain(t, e.view(), "DOC✔")
	e.device(hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindStatus, Status: &hardware.Status{State: hardware.StateDisconnected, Detail: "read: EIO"}})
	mustContain(t, e.view(), "DOC✖", "✖ document reader disconnected — reconnecting")
	e.send(HealthMsg{Devices: []DeviceHealth{{Device: hardware.DeviceDoc, State: "faulty"}}})
	mustContain(t, e.view(), "DOC⚠")
	e.device(hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindError, Error: &hardware.Error{Err: "bad BCC"}})
	mustContain(t, e.view(), "document not readable")
}

func TestLightTheme(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Theme = "light" })
	e.login()
	e.tag(epcGarcia)
	mustContain(t, e.view(), "GARCIA, MARIA ELENA")
	if e.m.c.dark {
		t.Fatal("light theme drew dark")
	}
	// A terminal background report does not override a fixed theme.
	e.send(tea_BackgroundDark())
	if e.m.c.dark {
		t.Fatal("fixed light theme switched to dark")
	}
}

// The highlighted alert is shown whole, wrapped, even on an 80-column
// terminal: an instruction such as "do not alert subject" is never cut off.
func TestSelectedAlertShownWhole(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.login()
	e.send(tea_WindowSize(80, 24))
	e.passport(hernandez)
	c := e.m.ws.current().c
	if len(c.Alerts) == 0 {
		t.Fatal("no alert raised")
	}
	flat := func(s string) string {
		return strings.NewReplacer("│", "", "\n", "", " ", "", "▸", "").Replace(s)
	}
	for i, a := range c.Alerts {
		e.m.ws.current().selAlert = i
		if v := e.view(); !strings.Contains(flat(v), flat(a.Text)) {
			t.Errorf("alert %d not shown whole at 80 columns: %q\n%s", i, a.Text, v)
		}
	}
}

// A capture kept before the traveller's citizenship was established (so
// under the citizen rule) is re-filed once the reference check shows a
// non-citizen: it may then be kept and forwarded as a non-citizen's.
func TestCaptureRefiledWhenCitizenshipEstablished(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.login()
	e.passport(hernandez)
	cs := e.m.ws.current()
	id := "cap-" + hernandez.DocumentNumber
	// Replay the other order of the race: the capture was kept as
	// "unknown" while the reference check was still running.
	if err := e.bio.MarkCitizenship(t.Context(), id, CitizenshipUnknown); err != nil {
		t.Fatal(err)
	}
	for _, f := range cs.faces {
		f.storedAs = CitizenshipUnknown
	}
	e.run(e.m.syncCaptureClasses(cs))
	if capt, _ := e.bio.get(id); capt.Citizenship != CitizenshipNonUSC {
		t.Fatalf("capture class %q, want non_usc", capt.Citizenship)
	}
	// Nothing more to do once it is filed right.
	if cmd := e.m.syncCaptureClasses(cs); cmd != nil {
		t.Errorf("re-filed again")
	}
}
