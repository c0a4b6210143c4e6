package powerloss

import (
	"strings"
	"testing"
)

// TestCheck: the checker passes a database that holds what was
// acknowledged, and reports each kind of violation.
func TestCheck(t *testing.T) {
	b := func(seq int64) Stored { return Stored{Origin: boothOrigin, Seq: seq} }
	w := func(origin string, seq int64) Stored { return Stored{Origin: origin, Seq: seq} }
	boothLedger := func() *Ledger {
		l := NewLedger()
		l.Acked = map[string]Stored{"a": b(1), "b": b(2), "c": b(3)}
		l.OutboxAck = 1
		return l
	}
	boothSnap := func() *Snapshot {
		return &Snapshot{Integrity: "ok", Booth: true, OutboxAcked: 1, Outbox: []int64{2, 3, 4},
			Events: map[string]Stored{"a": b(1), "b": b(2), "c": b(3), "d": b(4)}}
	}
	serverLedger := func() *Ledger {
		l := NewLedger()
		l.Acked = map[string]Stored{"x1": w("WS-B1", 1), "x2": w("WS-B1", 2), "y1": w("WS-B2", 1)}
		l.HWM = map[string]int64{"WS-B1": 2, "WS-B2": 1}
		return l
	}
	serverSnap := func() *Snapshot {
		return &Snapshot{Integrity: "ok", HWM: map[string]int64{"WS-B1": 2, "WS-B2": 1},
			Events: map[string]Stored{"x1": w("WS-B1", 1), "x2": w("WS-B1", 2), "y1": w("WS-B2", 1)}}
	}
	cases := []struct {
		name   string
		ledger func() *Ledger
		snap   func() *Snapshot
		want   string // "" for no violation
	}{
		{"booth clean (unacknowledged #4 is fine)", boothLedger, boothSnap, ""},
		{"server clean", serverLedger, serverSnap, ""},
		{"integrity", boothLedger, func() *Snapshot { s := boothSnap(); s.Integrity = "*** in database main ***"; return s }, "integrity_check"},
		{"acknowledged event lost", boothLedger, func() *Snapshot {
			s := boothSnap()
			delete(s.Events, "c")
			delete(s.Events, "d")
			s.Outbox = []int64{2}
			return s
		}, "acknowledged event c"},
		{"event renumbered", boothLedger, func() *Snapshot { s := boothSnap(); s.Events["c"] = b(5); s.Events["e"] = b(3); return s }, "was WS-POWERLOSS #3, now"},
		{"gap", boothLedger, func() *Snapshot { s := boothSnap(); s.Events["e"] = b(6); s.Outbox = []int64{2, 3, 4, 6}; return s }, "gaps at [5]"},
		{"outbox row missing", boothLedger, func() *Snapshot { s := boothSnap(); s.Outbox = []int64{2, 4}; return s }, "outbox"},
		{"outbox ack went back", boothLedger, func() *Snapshot { s := boothSnap(); s.OutboxAcked = 0; s.Outbox = []int64{1, 2, 3, 4}; return s }, "outbox ack went back"},
		{"hwm went back", serverLedger, func() *Snapshot {
			s := serverSnap()
			delete(s.Events, "x2")
			s.HWM["WS-B1"] = 1
			return s
		}, "high-water mark went back"},
		{"hwm disagrees with events", serverLedger, func() *Snapshot { s := serverSnap(); s.HWM["WS-B2"] = 3; return s }, "high-water mark 3 but events up to #1"},
		{"seen event vanished", func() *Ledger { l := serverLedger(); l.Seen["z1"] = w("WS-B3", 1); return l }, serverSnap, "found durable by an earlier check are gone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(tc.ledger(), tc.snap())
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("violations %q, want none", got)
				}
				return
			}
			if !strings.Contains(strings.Join(got, "\n"), tc.want) {
				t.Fatalf("violations %q, want one containing %q", got, tc.want)
			}
		})
	}
}

// TestParseSnapshot reads checker output and refuses a truncated one.
func TestParseSnapshot(t *testing.T) {
	out := "integrity ok\nevent a WS-POWERLOSS 1\nevent b WS-POWERLOSS 2\nacked 1\noutbox 2\ndone\n"
	s, err := ParseSnapshot(strings.NewReader(out), true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Integrity != "ok" || len(s.Events) != 2 || s.OutboxAcked != 1 || len(s.Outbox) != 1 || s.Outbox[0] != 2 {
		t.Fatalf("parsed %+v", s)
	}
	if len(Check(&Ledger{Acked: map[string]Stored{"b": {boothOrigin, 2}}, OutboxAck: 1}, s)) != 0 {
		t.Fatal("a consistent snapshot failed the check")
	}
	if _, err := ParseSnapshot(strings.NewReader("integrity ok\nevent a WS 1\n"), true); err == nil {
		t.Fatal("a checker that died before done was accepted")
	}
	if _, err := ParseSnapshot(strings.NewReader("event a\ndone\n"), true); err == nil {
		t.Fatal("a malformed line was accepted")
	}
}

// TestRebase: a loss is reported once, then the survivor is the new truth.
func TestRebase(t *testing.T) {
	l := NewLedger()
	l.Acked["a"] = Stored{boothOrigin, 1}
	l.Acked["b"] = Stored{boothOrigin, 2}
	s := &Snapshot{Integrity: "ok", Booth: true, Events: map[string]Stored{"a": {boothOrigin, 1}}, Outbox: []int64{1}}
	if LostAcked(l, s) != 1 || len(Check(l, s)) == 0 {
		t.Fatal("lost b not reported")
	}
	l.Rebase(s)
	if got := Check(l, s); len(got) != 0 {
		t.Fatalf("after Rebase: %q", got)
	}
	delete(s.Events, "a")
	s.Outbox = nil
	if len(Check(l, s)) == 0 {
		t.Fatal("losing a durable event after Rebase not reported")
	}
}
