package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/cmd/internal/tmuxtest"
)

// TestSecondaryEndToEnd runs the built binaries in real terminals, each in
// its own tmux window, set up as docs/tui.md tells a new user: the test
// makes the port's PKI and accounts and loads the reference data with the
// portserver commands, then runs `portserver serve`, a primary `booth` on a
// `devsim` lane (rpm-nuisance: a gamma alarm) and a `booth` secondary
// workstation, each with its own config file. The primary officer signs in
// and refers the car; the referral appears in the secondary queue without a
// key; the secondary officer opens it, reads the timeline and the primary's
// note, takes it, records a finding, the LSS request and LSS's coded answer,
// and admits the car; the primary's history shows the outcome. Every check is
// on what the screens show.
func TestSecondaryEndToEnd(t *testing.T) {
	p := startE2EPort(t, fmt.Sprintf("booth-sec-e2e-%d", os.Getpid()), "secondary", "sec-01")
	dir, primary, sec, signIn := p.dir, p.primary, p.station, p.signIn
	signIn(primary, "PRIMARY INSPECTION — SIGN IN", "B100", "481516")
	signIn(sec, "SECONDARY INSPECTION — SIGN IN", "B200", "234223")
	// The port accounts and the reference data came down with the feed.
	primary.WaitFor(15*time.Second, "LINK online", "REF as of")
	sec.WaitFor(10*time.Second, "REFERRAL QUEUE — 0 waiting", "feed online")

	// The lane: the gamma alarm of a load of kitty litter, every few seconds.
	p.startLane()
	primary.WaitFor(20*time.Second, "DOC✔ RFID✔ RPM✔ LPR✔", "GAMMA ALARM", "referral to secondary is mandatory", "BZK4471")
	const note = "driver says 40 bags of cat litter"
	primary.Keys("r")
	primary.WaitFor(5*time.Second, "REFER TO SECONDARY", "(mandatory)")
	primary.Keys("Tab")
	primary.Keys("-l", note)
	primary.Keys("Enter")
	primary.WaitFor(5*time.Second, "saved: referred to secondary (RPM)")

	// The referral reaches the secondary queue by itself.
	scr := sec.WaitFor(10*time.Second, "REFERRAL QUEUE — 1 waiting", "US-WA/BZK4471", "☢RPM")
	if !strings.Contains(scr, "▸") {
		t.Fatalf("no referral selected in the queue:\n%s", scr)
	}
	sec.Keys("Enter")
	sec.WaitFor(5*time.Second, "CROSSING", "referred", "by B100@booth-07", "not adjudicated",
		"Primary's note: “"+note+"”", "TIMELINE", "Referred to secondary: RPM — "+note, "RPM GAMMA alarm on occupancy")
	sec.Keys("t")
	sec.WaitFor(5*time.Second, "TAKEN BY B200@sec-01 (you)", "saved: taken")
	sec.Keys("f")
	sec.WaitFor(3*time.Second, "SECONDARY FINDING")
	sec.Keys("Tab")
	sec.Keys("-l", "cargo area: 40 bags of cat litter")
	sec.Keys("Enter")
	sec.WaitFor(5*time.Second, "saved: finding (Vehicle search)", "Finding (Vehicle search): cargo area")
	// Admission waits for LSS's coded answer: request, then the answer.
	sec.Keys("l")
	sec.WaitFor(3*time.Second, "LSS REACHBACK — REQUEST")
	sec.Keys("-l", "spectrum sent")
	sec.Keys("Enter")
	sec.WaitFor(5*time.Second, "saved: LSS reachback requested")
	sec.Keys("l")
	sec.WaitFor(3*time.Second, "LSS REACHBACK — ANSWER")
	sec.Keys("Down", "Space", "Tab")          // K-40, on to the codes
	sec.Keys("Down", "Down", "Down", "Space") // 04 NORM
	sec.Keys("Tab")
	sec.Keys("-l", "LSS: K-40, NORM")
	sec.Keys("Enter")
	sec.WaitFor(5*time.Second, "saved: LSS answer 4 innocent alarm: NORM", "adjudicated")
	sec.Keys("d")
	sec.WaitFor(3*time.Second, "FINAL DETERMINATION", "(•) Admitted")
	sec.Keys("Tab")
	sec.Keys("-l", "NORM, admitted")
	sec.Keys("Enter")
	sec.WaitFor(5*time.Second, "DETERMINED: Admitted by B200@sec-01", "saved: determination: Admitted")
	sec.Keys("Escape")
	sec.WaitFor(5*time.Second, "REFERRAL QUEUE — 0 waiting")

	// The primary's history shows the outcome on the vehicle's next crossing
	// (the lane loops the same car); cars that arrived before the outcome
	// came down are referred on.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(primary.Screen(), "admitted ➜ secondary") {
		if time.Now().After(deadline) {
			t.Fatalf("the primary's history never showed the outcome:\n%s", primary.Screen())
		}
		if scr := primary.Screen(); strings.Contains(scr, "press r to refer") && !strings.Contains(scr, "REFER TO SECONDARY") {
			primary.Keys("r")
			primary.WaitFor(5*time.Second, "REFER TO SECONDARY")
			primary.Keys("Enter")
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, s := range []*tmuxtest.Session{primary, sec} {
		s.Keys("C-c")
		s.WaitFor(10*time.Second, "EXITED 0")
	}
	for _, f := range []string{"booth-07.log", "sec-01.log"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || strings.Contains(string(b), "panic") {
			t.Errorf("%s: %v (or a panic in it)", f, err)
		}
	}
}
