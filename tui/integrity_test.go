package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

var errTestDiskFull = fmt.Errorf("append: %w: database or disk is full", ErrDiskFull)

// The card read that opens a crossing fails to save: the lane forgets the
// crossing, nothing is shown for it, and once space returns the vehicle's
// next reading opens a new crossing whose first event is its opening.
func TestFailedOpeningForgetsCrossing(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.log.setFail(errTestDiskFull)
	e.tag(epcGarcia)
	if id := e.m.ws.lane.Current(); id != "" {
		t.Fatalf("lane points at crossing %s whose opening was never stored", id)
	}
	if len(e.m.ws.crossings) != 0 || len(e.m.ws.openings) != 0 {
		t.Fatalf("workspace still holds %d crossings, %d openings", len(e.m.ws.crossings), len(e.m.ws.openings))
	}
	v := e.view()
	mustContain(t, v, "card read NOT saved", "no crossing opened", "Lane idle", "DISK FULL")
	mustNotContain(t, v, "GARCIA")
	// Keys that act on a crossing have none to act on.
	e.keys("n")
	if e.m.dialog != nil {
		t.Fatal("a note dialog opened on a crossing that does not exist")
	}

	e.log.setFail(nil)
	e.advance(10 * time.Second)
	e.tag(epcGarcia) // the card is read again
	id := e.m.ws.lane.Current()
	if id == "" {
		t.Fatal("no crossing after space returned")
	}
	mustContain(t, e.view(), "GARCIA, MARIA ELENA")
	mustNotContain(t, e.view(), "DISK FULL")
	e.checkOpenings()
	if n := len(e.log.crossings()); n != 1 {
		t.Fatalf("%d crossings stored, want 1", n)
	}
}

// The card read waits for its enrollment look-up while the plate read of
// the same vehicle is written first: the plate's write carries the opening,
// the card's copy of it is skipped, and the crossing has one opening, first.
func TestSlowTagFastPlateOneOpening(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	tagWrite := e.hold(e.deviceMsg(tagEvent(epcGarcia)))
	id := e.m.ws.lane.Current()
	e.advance(2 * time.Second)
	e.device(plateEvent("7ABC123", "us-ca", 93))
	if got := e.stored(id); len(got) < 2 || got[0] != records.KindCrossingOpened || got[1] != records.KindPlateRead {
		t.Fatalf("after the plate: %v", got)
	}
	if e.m.ws.openings[id] != nil {
		t.Fatal("opening still pending after a write carrying it committed")
	}
	e.run(tagWrite)
	kinds := e.stored(id)
	if !hasKind(kinds, records.KindRFIDRead) {
		t.Fatalf("card read not stored: %v", kinds)
	}
	e.checkOpenings()
	if e.m.status.err {
		t.Fatalf("status shows an error: %s", e.m.status.text)
	}
	mustContain(t, e.view(), "GARCIA, MARIA ELENA", "7ABC123")
}

// The card read's write fails, but the plate read's write, already on its
// way with the opening, commits: the crossing exists and stays.
func TestOpeningSavedByALaterWrite(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	tagWrite := e.hold(e.deviceMsg(tagEvent(epcGarcia)))
	id := e.m.ws.lane.Current()
	e.advance(2 * time.Second)
	plateWrite := e.hold(e.deviceMsg(plateEvent("7ABC123", "us-ca", 93)))
	e.log.setFail(errTestDiskFull)
	e.run(tagWrite)
	if e.m.ws.lane.Current() != id {
		t.Fatal("crossing forgotten while a write carrying its opening was still on its way")
	}
	e.log.setFail(nil)
	e.run(plateWrite)
	if e.m.ws.lane.Current() != id || e.m.ws.openings[id] != nil {
		t.Fatalf("crossing %s: current %q, opening pending %v", id, e.m.ws.lane.Current(), e.m.ws.openings[id] != nil)
	}
	e.checkOpenings()
	mustContain(t, e.view(), "7ABC123")
}

// An officer's first write (a document keyed at an idle booth) opens the
// crossing; if it fails, the crossing is forgotten too.
func TestFailedKeyedOpeningForgetsCrossing(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.log.setFail(errors.New("disk I/O error"))
	e.keys("m")
	lines, _ := mrzLines(t, thompson)
	e.typeText(lines[0])
	e.keys("tab")
	e.typeText(lines[1])
	e.keys("enter")
	if e.m.ws.lane.Current() != "" || len(e.m.ws.crossings) != 0 {
		t.Fatal("keyed document's crossing kept though nothing was stored")
	}
	mustContain(t, e.view(), "keyed document NOT saved", "disk I/O error")
	mustNotContain(t, e.view(), "DISK FULL") // not a full disk
}

// While the disk is full the header says so in words until a write
// succeeds, and the log says so at most once a minute.
func TestDiskFullHeaderAndLog(t *testing.T) {
	e := newTestEnv(t, nil)
	e.login()
	e.tag(epcGarcia)
	e.log.setFail(errTestDiskFull)
	for i := range 20 {
		e.advance(5 * time.Second) // 100 s of readings
		e.occupancy(i%2 == 0)
		e.plate("7ABC123", "us-ca", 90)
	}
	mustContain(t, e.view(), "DISK FULL")
	n := 0
	for _, l := range strings.Split(e.logBuf.String(), "\n") {
		if strings.Contains(l, "disk full") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("disk full logged %d times over 100 s of failing writes, want 2 (once a minute):\n%s", n, e.logBuf.String())
	}
	// Colourless terminals see the words too.
	e.m.c.cfg.NoColor = true
	e.m.c.setStyles()
	mustContain(t, e.m.View().Content, "DISK FULL")
	e.log.setFail(nil)
	e.keys("n")
	e.typeText("space is back")
	e.keys("enter")
	mustNotContain(t, e.view(), "DISK FULL")
	mustContain(t, e.view(), "✔ saved: note")
}
