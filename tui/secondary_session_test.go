package tui

import (
	"errors"
	"testing"

	"github.com/portofentry/booth/records"
)

// The sign-in box and the help screen speak of the workstation they are on:
// a booth names its lane and the primary rules, a secondary workstation its
// id and the secondary rules.
func TestSignInAndHelpByWorkstationKind(t *testing.T) {
	tests := []struct {
		name          string
		secondary     bool
		signIn, notIn []string
		help, notHelp []string
	}{
		{"primary", false,
			[]string{"PRIMARY INSPECTION — SIGN IN", "Port 2608 · Lane V01 · vehicle"}, []string{"SECONDARY"},
			[]string{"[ACK?] alert to acknowledge", "A vehicle can be admitted"}, []string{"☢RPM"}},
		{"secondary", true,
			[]string{"SECONDARY INSPECTION — SIGN IN", "Port 2608 · workstation sec-1"}, []string{"PRIMARY", "Lane V01", "vehicle"},
			[]string{"☢RPM radiation alarm", "⚠LOOK lookout hit", "▶ you", "adjudicated with LSS's coded answer (l)", "are a conflict (c)"},
			[]string{"[ACK?]", "A vehicle can be admitted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *testEnv
			if tt.secondary {
				e = newSecondaryEnv(t, nil)
			} else {
				e = newTestEnv(t, nil)
			}
			v := e.view()
			mustContain(t, v, tt.signIn...)
			mustNotContain(t, v, tt.notIn...)
			e.login()
			e.keys("?")
			v = e.view()
			mustContain(t, v, append([]string{"SYMBOLS"}, tt.help...)...)
			mustNotContain(t, v, tt.notHelp...)
		})
	}
}

// A secondary write that fails for want of space says NOT saved and puts
// DISK FULL in the header, as at the booth; the next stored write clears it.
// Another failure does not claim a full disk.
func TestSecondaryWriteDiskFull(t *testing.T) {
	e := newSecondaryEnv(t, nil)
	e.referOne("c1", false)
	e.login()
	mustNotContain(t, e.view(), "DISK FULL")

	e.log.setFail(errors.New("database is locked"))
	e.keys("t")
	v := e.view()
	mustContain(t, v, "taken NOT saved")
	mustNotContain(t, v, "DISK FULL")

	e.log.setFail(errTestDiskFull)
	e.keys("t")
	v = e.view()
	mustContain(t, v, "DISK FULL", "NOT saved")
	if n := e.log.count(records.KindSecondaryTaken); n != 0 {
		t.Fatalf("%d takes stored on a full disk", n)
	}
	e.keys("enter") // the open crossing keeps the header
	mustContain(t, e.view(), "CROSSING c1", "DISK FULL")

	e.log.setFail(nil)
	e.keys("t")
	v = e.view()
	mustContain(t, v, "✔ saved: taken")
	mustNotContain(t, v, "DISK FULL")
	if n := e.log.count(records.KindSecondaryTaken); n != 1 {
		t.Fatalf("%d takes stored, want 1", n)
	}
}
