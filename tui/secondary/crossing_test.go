package secondary

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
)

// openCar is a station on the car's open record.
func openCar(t *testing.T, w, h int) (*station, *port) {
	t.Helper()
	p := &port{synced: t0.Add(10 * time.Minute)}
	p.add(referredCar(t, "car", 0)...)
	clock := &testClock{now: t0.Add(10 * time.Minute)}
	s := newStation(t, p, clock, "sec-a", "B7001", w, h)
	s.keys("enter")
	return s, p
}

// allLines scrolls the record from top to bottom and returns every line
// seen, so a test can check content that is below the fold.
func (s *station) allLines() string {
	s.keys("pgup", "pgup", "pgup", "pgup", "pgup", "pgup")
	var b strings.Builder
	for range 30 {
		b.WriteString(s.view())
		b.WriteString("\n")
		if s.m.vp.AtBottom() {
			break
		}
		s.keys("pgdown")
	}
	return b.String()
}

// The open crossing shows everything about it, at 80×24 (scrolling) and at
// 200×60 (two columns).
func TestCrossingView(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			s, _ := openCar(t, sz.w, sz.h)
			v := s.view()
			checkSize(t, v, sz.w, sz.h)
			// The head never scrolls: where, who referred, waiting, taken,
			// and the unadjudicated alarm in words.
			mustContain(t, v, "CROSSING car", "2608 V02 vehicle", "referred 10:00:30 by B1001@booth-v02", "waiting 9m",
				"not taken — t to take it", "☢ RPM GAMMA alarm on occupancy 4101 not adjudicated")
			all := s.allLines()
			mustContain(t, all,
				// the primary's reasons and note
				"Reasons RPM, LOOK", "“driver says medical treatment last week”",
				// alerts with who acknowledged them
				"RPM ALARM", "✔ ack B1001", "PLATE LOOKOUT", "⚠ not acknowledged",
				// travellers with documents, reference result, face and photo on file
				"GARCIA, MARIA ELENA", "SENTRI USA 900123456", "citizenship USA · status USC", "✔ MATCH 0.93/0.80", "photo on file",
				// vehicle and candidates, RPM result
				"US-CA/7ABC123", "7A8C123 55%", "Occupancy #4101 ✖ GAMMA ALARM", "LSS not asked yet",
				// the timeline: time, source, what it says
				"10:00:03 RPM", "10:00:30 B1001@booth-v02", "Referred to secondary: RPM, LOOK",
				"TIMELINE (9 events)",
				// history
				"HISTORY", "2026-10-02", "V03")
			for _, l := range strings.Split(all, "\n") {
				if n := ansi.StringWidth(l); n > sz.w {
					t.Fatalf("line wider than %d: %q", sz.w, l)
				}
			}
		})
	}
}

// At 200 columns the timeline is beside the record, from the top: the first
// screen holds the referral and the first events.
func TestCrossingViewWideColumns(t *testing.T) {
	s, _ := openCar(t, 200, 57)
	v := s.view()
	mustContain(t, v, "── REFERRAL", "│ 10:00:01 RFID reader", "Crossing opened at port 2608 lane V02")
	// The gallery photo is drawn beside the traveller (colour on).
	if !strings.Contains(s.m.View(), "▀") {
		t.Fatal("no gallery photo drawn at 200 columns")
	}
}

// The record scrolls with up/down and page keys at 80×24.
func TestCrossingScrolls(t *testing.T) {
	s, _ := openCar(t, 80, 21)
	top := s.view()
	mustNotContain(t, top, "HISTORY")
	s.keys("j")
	if s.m.vp.YOffset() != 1 {
		t.Fatalf("down did not scroll: offset %d", s.m.vp.YOffset())
	}
	s.keys("pgdown", "pgdown", "pgdown", "pgdown")
	mustContain(t, s.view(), "CROSSING car") // the head stays
	s.keys("k")
	s.keys("pgup", "pgup", "pgup", "pgup", "pgup")
	if s.m.vp.YOffset() != 0 {
		t.Fatalf("offset %d after paging up", s.m.vp.YOffset())
	}
}

// A crossing the replica does not hold says so; esc goes back.
func TestCrossingMissing(t *testing.T) {
	p := &port{synced: t0}
	clock := &testClock{now: t0}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	s.send(openCrossingAction{id: "gone"}) // not a message: goes nowhere
	s.run(s.m.perform(openCrossingAction{id: "gone"}))
	mustContain(t, s.view(), "✖ crossing gone is not in this workstation's replica")
	if st := s.status(keyMsg("f")); !st.Err || !strings.Contains(st.Text, "still loading") {
		t.Fatalf("f on an unreadable record: %+v", st)
	}
	s.keys("esc")
	mustContain(t, s.view(), "REFERRAL QUEUE")
}

// A change notice for the open crossing reloads it: a finding recorded at
// another workstation appears without a key press, where the officer was
// reading.
func TestCrossingReloadsOnChange(t *testing.T) {
	s, p := openCar(t, 80, 21)
	s.keys("j", "j")
	p.add(ev(t, "car", 5*time.Minute, "B7002", "sec-b", records.SecondaryFinding{Category: records.FindingVehicleSearch, Text: "spare tyre opened, nothing"}))
	s.send(ReplicaChangedMsg{Crossings: []string{"other"}})
	mustNotContain(t, s.allLines(), "spare tyre")
	s.keys("pgup", "pgup", "pgup", "pgup", "pgup", "pgup", "j", "j")
	s.send(ReplicaChangedMsg{Crossings: []string{"car"}})
	if s.m.vp.YOffset() != 2 {
		t.Fatalf("reload moved the record to offset %d", s.m.vp.YOffset())
	}
	mustContain(t, s.allLines(), "Finding 10:05:00 B7002@sec-b: Vehicle search — spare tyre opened, nothing")
}
