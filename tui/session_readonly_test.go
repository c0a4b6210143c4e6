package tui

import (
	"context"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// roOfficers signs testBadge in as a supervisor (read-only) and any other
// badge with testPIN as a writing officer.
type roOfficers struct{ fakeOfficers }

func (o *roOfficers) Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error) {
	if string(pin) != testPIN {
		return Officer{}, ErrBadCredentials
	}
	if badge == testBadge {
		return Officer{Badge: testBadge, Name: "TEST SUPERVISOR", Role: "supervisor", ReadOnly: true}, nil
	}
	return Officer{Badge: badge, Name: "OTHER OFFICER", Role: "primary"}, nil
}

// TestReadOnlySessionAtPrimaryBooth: a read-only officer at a primary booth
// gets the screens without a bound write key; the lane's devices keep
// recording as the system; the officer's keys store nothing; the next
// officer who signs in writes again.
func TestReadOnlySessionAtPrimaryBooth(t *testing.T) {
	e := newTestEnv(t, nil)
	e.m.deps.Officers = &roOfficers{}
	e.login()
	mustContain(t, e.view(), "READ-ONLY", "TEST SUPERVISOR")
	for _, a := range KeyActions {
		if a.Write && a.get(&e.m.c.keys).Enabled() {
			t.Errorf("write action %s is bound in a read-only session", a.Name)
		}
	}
	e.tag(epcGarcia)
	e.advance(1500 * time.Millisecond)
	e.tag(epcGarciaLopez)
	e.advance(5 * time.Second)
	e.occupancy(false)
	e.advance(3 * time.Second)
	e.plate("7abc123", "us-ca", 93.4)
	mustContain(t, e.view(), "GARCIA, MARIA ELENA", "✔ CLEAR")
	if e.log.count(records.KindRFIDRead) != 2 {
		t.Errorf("%d card reads recorded, want 2: the devices keep recording", e.log.count(records.KindRFIDRead))
	}
	for _, k := range []string{"a", "r", "space", "n", "m", "p", "x", "enter", "esc"} {
		e.keys(k)
	}
	for _, kind := range []records.Kind{records.KindDetermination, records.KindReferred, records.KindNote, records.KindAlertAcknowledged} {
		if n := e.log.count(kind); n != 0 {
			t.Errorf("%d %s events stored from a read-only session", n, kind)
		}
	}
	// Log out; another officer signs in and writes.
	e.keys("ctrl+q")
	if e.m.c.sessionReadOnly || !e.m.c.keys.Admit.Enabled() {
		t.Fatal("logging out kept the read-only keys")
	}
	e.typeText("B777")
	e.keys("enter")
	e.typeText(testPIN)
	e.keys("enter")
	if e.m.officer == nil || e.m.officer.Badge != "B777" || e.m.officer.ReadOnly {
		t.Fatalf("second officer: %+v\n%s", e.m.officer, e.view())
	}
	if !e.m.c.keys.Admit.Enabled() {
		t.Error("a writing officer after a supervisor has no admit key")
	}
}
