package tui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// dialogMethods is the method set that makes a type a dialog.
var dialogMethods = []string{"Update", "View", "SetSize", "ShortHelp", "FullHelp", "Crossing"}

// dialogTypes finds every type of the package in dir (its non-test source)
// with the dialog method set, so a new dialog is covered without registering
// it. The secondary screens' dialogs (dir "secondary") are checked by
// TestEverySecondaryDialogSubmitsOnce.
func dialogTypes(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
				continue
			}
			typ := fd.Recv.List[0].Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			id, ok := typ.(*ast.Ident)
			if !ok {
				continue
			}
			if methods[id.Name] == nil {
				methods[id.Name] = map[string]bool{}
			}
			methods[id.Name][fd.Name.Name] = true
		}
	}
	var out []string
	for typ, ms := range methods {
		all := true
		for _, m := range dialogMethods {
			all = all && ms[m]
		}
		if all {
			out = append(out, typ)
		}
	}
	sort.Strings(out)
	return out
}

// dialogFill types what a dialog needs before enter can submit it. A dialog
// that needs nothing (its choices are pre-selected) has no entry.
var dialogFill = map[string]func(e *testEnv){
	"noteDialog": func(e *testEnv) { e.typeText("looked nervous") },
	"manualDialog": func(e *testEnv) {
		lines, _ := mrzLines(e.t, thompson)
		e.typeText(lines[0])
		e.keys("tab")
		e.typeText(lines[1])
	},
}

// dialogsSaveNothing are dialogs enter closes without writing.
var dialogsSaveNothing = map[string]bool{"helpScreen": true}

// officerEvents counts the events the officer wrote.
func officerEvents(l *memLog) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.Officer != "" {
			n++
		}
	}
	return n
}

// Two enters delivered before anything they started has finished submit a
// dialog once: the first closes it in the same Update, the second reaches
// the primary screen, where enter does nothing. Every dialog of the package
// is reached through a key of the primary screen in one of the two lane
// modes.
func TestEveryDialogSubmitsOnce(t *testing.T) {
	want := dialogTypes(t, ".")
	if len(want) < 6 {
		t.Fatalf("found only %v: the scan is broken", want)
	}
	tested := map[string]bool{}
	for _, mode := range []records.Mode{records.ModeVehicle, records.ModePedestrian} {
		probe := newTestEnv(t, func(c *Config) { c.Mode = mode })
		var bindings []key.Binding
		for _, row := range probe.m.primary.FullHelp() {
			bindings = append(bindings, row...)
		}
		k := probe.m.c.keys
		// Keys that act at once rather than open a dialog.
		direct := []key.Binding{k.Admit, k.Ack, k.Next, k.Lock, k.Logout, k.Quit, k.Up, k.Down}
		for _, b := range bindings {
			if containsBinding(direct, b) {
				continue
			}
			e := newTestEnv(t, func(c *Config) { c.Mode = mode })
			e.login()
			e.tag(epcGarcia)
			e.plate("7ABC123", "us-ca", 70, hardwareCandidates("7ABC123", "7A8C123")...)
			e.passport(hernandez) // lost/stolen: a reason to refer is ticked
			e.send(tea.KeyPressMsg{Code: []rune(b.Keys()[0])[0], Text: b.Keys()[0]})
			if b.Keys()[0] == "space" {
				continue
			}
			if e.m.dialog == nil {
				t.Errorf("%s: key %q opened no dialog; add it to the direct keys if that is right", mode, b.Keys()[0])
				continue
			}
			name := reflect.TypeOf(e.m.dialog).Elem().Name()
			if fill := dialogFill[name]; fill != nil {
				fill(e)
			}
			before := officerEvents(e.log)
			first := e.hold(keyMsg("enter"))
			second := e.hold(keyMsg("enter"))
			e.run(tea.Batch(first, second))
			if e.m.dialog != nil {
				t.Errorf("%s %s: still open after enter: %s", mode, name, e.view())
				continue
			}
			wrote := officerEvents(e.log) - before
			wantWrites := 1
			if dialogsSaveNothing[name] {
				wantWrites = 0
			}
			if wrote != wantWrites {
				t.Errorf("%s %s: two enters wrote %d officer events, want %d", mode, name, wrote, wantWrites)
			}
			tested[name] = true
		}
	}
	for _, name := range want {
		if !tested[name] {
			t.Errorf("dialog %s was not reached from any key of the primary screen, so its double enter is untested", name)
		}
	}
}

func containsBinding(bs []key.Binding, b key.Binding) bool {
	for _, x := range bs {
		if reflect.DeepEqual(x.Keys(), b.Keys()) {
			return true
		}
	}
	return false
}

// A gamma alarm that arrives while the refer dialog is open is ticked at
// once, cannot be unticked, and is among the reasons stored.
func TestReferDialogAlarmArrivesWhileOpen(t *testing.T) {
	e := newTestEnv(t, nil)
	e.faces.set(hernandez.DocumentNumber, records.FaceNoMatch)
	e.login()
	e.tag(epcGarcia)
	e.advance(20 * time.Second)
	e.passport(hernandez)
	id := e.m.ws.lane.Current()
	e.keys("r")
	mustContain(t, e.view(), "REFER TO SECONDARY", "[ ] RPM")
	e.advance(8 * time.Second)
	e.occupancy(true)
	mustContain(t, e.view(), "[x] RPM", "(mandatory)", "REFER TO SECONDARY")
	e.keys("space") // the cursor is on RPM
	mustContain(t, e.view(), "must stay among the reasons", "[x] RPM")
	e.keys("enter")
	c := e.fold(id)
	if c.Referral == nil {
		t.Fatalf("no referral stored: %v", e.stored(id))
	}
	if !contains(c.Referral.Reasons, records.ReasonRPMAlarm) || !contains(c.Referral.Reasons, records.ReasonIdentity) {
		t.Fatalf("stored reasons %v, want RPM and the face mismatch", c.Referral.Reasons)
	}
}

// A lookout that says refer, checked while the dialog is open and after the
// officer unticked its reason, is still sent.
func TestReferDialogLookoutArrivesWhileOpen(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.login()
	// The document read is stored, but its reference check is held.
	read := e.hold(e.deviceMsg(e.passportEvent(kovalenko)))
	id := e.m.ws.lane.Current()
	checks := e.hold(read())
	e.keys("r", "down", "space", "space") // LOOK ticked, then unticked
	mustContain(t, e.view(), "[ ] LOOK")
	e.keys("down", "down", "down", "down", "down", "down", "space") // RANDOM
	e.run(checks)
	mustContain(t, e.view(), "[x] LOOK", "(mandatory)")
	e.keys("enter")
	c := e.fold(id)
	if c.Referral == nil || !contains(c.Referral.Reasons, records.ReasonLookout) || !contains(c.Referral.Reasons, records.ReasonRandom) {
		t.Fatalf("referral %+v, want LOOK and RANDOM", c.Referral)
	}
}

// Admission is decided on the crossing as it is when the key is pressed: an
// alarm that arrived a moment before stops it.
func TestAdmitRefusedAfterNewAlert(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.tag(epcGarcia)
	e.advance(4 * time.Second)
	e.plate("7ABC123", "us-ca", 93)
	id := e.m.ws.lane.Current()
	e.advance(time.Second)
	e.occupancy(true)
	e.keys("a")
	mustContain(t, e.view(), "✖ cannot admit", "mandatory")
	if hasKind(e.stored(id), records.KindDetermination) {
		t.Fatal("admitted with an RPM alarm")
	}
}

// A plate read that arrives while the plate dialog is open is offered at
// once and confirmed in the region it was read in.
func TestPlateDialogReadArrivesWhileOpen(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.tag(epcGarcia)
	id := e.m.ws.lane.Current()
	e.keys("p")
	mustNotContain(t, e.view(), "reader's best")
	e.advance(3 * time.Second)
	e.plate("7ABC123", "us-ca", 71)
	mustContain(t, e.view(), "7ABC123  US-CA  71%  (reader's best)")
	e.keys("up", "enter")
	c := e.fold(id)
	if c.Vehicle == nil || c.Vehicle.Plate != "7ABC123" || c.Vehicle.Region != "US-CA" || !c.Vehicle.Confirmed || c.Vehicle.Corrected {
		t.Fatalf("vehicle %+v", c.Vehicle)
	}
}

// A document keyed while a card read opens the crossing goes to that
// crossing: one crossing, one opening.
func TestManualEntryWhileCardRead(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.keys("m")
	lines, _ := mrzLines(t, thompson)
	e.typeText(lines[0])
	e.keys("tab")
	e.typeText(lines[1])
	e.tag(epcGarcia)
	id := e.m.ws.lane.Current()
	e.keys("enter")
	if n := len(e.log.crossings()); n != 1 {
		t.Fatalf("%d crossings, want 1", n)
	}
	if !hasKind(e.stored(id), records.KindDocumentKeyed) {
		t.Fatalf("keyed document not on the card's crossing: %v", e.stored(id))
	}
	e.checkOpenings()
}

// A note written while the crossing's first write is still on its way
// carries the opening; the slower card read's copy is skipped.
func TestNoteCarriesOpening(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	tagWrite := e.hold(e.deviceMsg(tagEvent(epcGarcia)))
	id := e.m.ws.lane.Current()
	e.keys("n")
	e.typeText("driver waved")
	e.keys("enter")
	mustContain(t, e.view(), "✔ saved: note")
	e.run(tagWrite)
	if kinds := e.stored(id); len(kinds) < 3 || kinds[1] != records.KindNote || !hasKind(kinds, records.KindRFIDRead) {
		t.Fatalf("stored %v", kinds)
	}
	e.checkOpenings()
}

// A dialog open on a crossing whose opening then fails to save is closed:
// nothing is saved on a crossing that does not exist.
func TestNoteDialogClosedWhenCrossingAbandoned(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.log.setFail(errTestDiskFull)
	tagWrite := e.hold(e.deviceMsg(tagEvent(epcGarcia)))
	e.keys("n")
	e.typeText("half typed")
	e.run(tagWrite)
	if e.m.dialog != nil {
		t.Fatal("note dialog still open on a crossing that was never stored")
	}
	e.log.setFail(nil)
	e.keys("enter")
	if n := len(e.log.crossings()); n != 0 {
		t.Fatalf("%d crossings stored", n)
	}
	mustContain(t, e.view(), "card read NOT saved")
}

// The x-ray dialog of a traveller who leaves the counter (the admission
// already on its way commits) closes without saving on the next one.
func TestXrayDialogClosedWhenTravellerLeaves(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Mode = records.ModePedestrian })
	e.login()
	e.passport(thompson)
	for range len(e.m.ws.current().c.Unacknowledged()) {
		e.keys("space", "down")
	}
	admit := e.hold(keyMsg("a"))
	e.keys("x")
	if e.m.dialog == nil {
		t.Fatal("x-ray dialog did not open")
	}
	e.run(admit)
	if e.m.dialog != nil {
		t.Fatal("x-ray dialog still open after the traveller left")
	}
	mustContain(t, e.view(), "nothing saved")
	if e.log.count(records.KindBaggageXray) != 0 {
		t.Fatal("x-ray outcome stored")
	}
}
