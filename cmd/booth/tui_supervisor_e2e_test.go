package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSupervisorAtPrimaryBoothStoresNothing runs the real binary in tmux
// (`booth --demo`, a primary booth with its in-process port server): the
// demo supervisor signs in, a SENTRI car arrives and waits for a decision,
// and the supervisor presses every write key. The screen stays read-only;
// the lane's devices keep recording as the system; no event carries the
// supervisor's badge, at the booth or at the port server, and the sign-in,
// with the port account the demo port server sent down, is audited as
// read-only.
func TestSupervisorAtPrimaryBoothStoresNothing(t *testing.T) {
	s, demoDir := startDemoTmux(t, t.TempDir(), "booth-sup", "clean-sentri", 160, 45)
	s.WaitFor(15*time.Second, "SIGN IN", "badge "+demoSupervisorBadge, "PIN "+demoSupervisorPIN)
	s.Keys(demoSupervisorBadge, "Enter")
	s.Keys(demoSupervisorPIN, "Enter")
	s.WaitFor(10*time.Second, "READ-ONLY", "signed in as "+demoSupervisorBadge)
	// The car arrives and waits for a decision; the devices recorded it.
	s.WaitFor(30*time.Second, "GARCIA, MARIA ELENA", "7ABC123", "✔ CLEAR")
	for _, k := range []string{"a", "r", "space", "n", "m", "p", "x", "t", "f", "l", "d", "Enter"} {
		s.Keys(k)
		time.Sleep(150 * time.Millisecond)
		if scr := s.Screen(); strings.Contains(scr, "saved:") || strings.Contains(scr, "… saving") {
			t.Fatalf("after %q the screen says something is saved:\n%s", k, scr)
		}
		s.Keys("Escape")
		time.Sleep(300 * time.Millisecond) // or the next key arrives as alt+key
	}
	scr := s.WaitFor(5*time.Second, "READ-ONLY", "GARCIA, MARIA ELENA")
	if strings.Contains(scr, "saved") || strings.Contains(scr, "admit with") || strings.Contains(scr, "referred to secondary") {
		t.Errorf("the supervisor's keys decided the car:\n%s", scr)
	}
	s.WaitFor(15*time.Second, "LINK online │") // the device events reached the port server
	s.Keys("C-c")
	s.WaitFor(10*time.Second, "BOOTH-EXITED 0")

	count := func(db, query string, args ...any) int {
		t.Helper()
		h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var n int
		if err := h.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %s: %v", db, query, err)
		}
		return n
	}
	booth, server := filepath.Join(demoDir, "booth.db"), filepath.Join(demoDir, "portserver.db")
	for _, db := range []string{booth, server} {
		if n := count(db, `SELECT count(*) FROM events WHERE officer = ?`, demoSupervisorBadge); n != 0 {
			t.Errorf("%s: %d events under the supervisor's badge", filepath.Base(db), n)
		}
		if n := count(db, `SELECT count(*) FROM events WHERE origin = 'demo-booth' AND kind = 'rfid.read'`); n != 2 {
			t.Errorf("%s: %d card reads recorded by the lane, want 2 (the devices keep recording)", filepath.Base(db), n)
		}
		if n := count(db, `SELECT count(*) FROM events WHERE origin = 'demo-booth' AND kind IN ('determination', 'referred', 'note', 'alert.acknowledged')`); n != 0 {
			t.Errorf("%s: %d officer decisions stored", filepath.Base(db), n)
		}
	}
	if n := count(booth, `SELECT count(*) FROM audit_log WHERE action = 'login' AND officer = ? AND detail LIKE '%"access":"read-only"%' AND detail LIKE '%"source":"port"%'`,
		demoSupervisorBadge); n != 1 {
		t.Errorf("%d read-only sign-ins of the supervisor with the port account (delivered by the demo port server) audited, want 1", n)
	}
}
