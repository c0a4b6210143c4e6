package records

import (
	"slices"
	"testing"
)

func TestFoldIntegrityOfOpening(t *testing.T) {
	opened := func(l *log) { l.add("", CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle, Trigger: "rfid"}) }
	tag := func(l *log) { l.add("", RFIDRead{EPC: "E20000000000000000000001", RSSI: -40}) }
	note := func(l *log) { l.add("B1", Note{Text: "hello"}) }
	tests := []struct {
		name    string
		steps   []func(*log)
		missing bool
		before  int
		first   bool
		port    string
	}{
		{name: "opening first", steps: []func(*log){opened, tag, note}, first: true, port: "2608"},
		{name: "opening only", steps: []func(*log){opened}, first: true, port: "2608"},
		{name: "no opening", steps: []func(*log){tag, note}, missing: true, before: 2},
		{name: "opening after two events", steps: []func(*log){tag, note, opened}, before: 2, port: "2608"},
		{name: "second opening does not count as the first", steps: []func(*log){opened, tag, opened}, first: true, port: "2608"},
		{name: "empty record", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t, "b1")
			for _, s := range tt.steps {
				s(l)
			}
			// Any arrival order folds to the same integrity.
			evs := slices.Clone(l.events)
			slices.Reverse(evs)
			c := Fold(evs)
			if c.Integrity.OpeningMissing != tt.missing || c.Integrity.BeforeOpening != tt.before {
				t.Errorf("integrity %+v, want missing=%v before=%d", c.Integrity, tt.missing, tt.before)
			}
			if got := c.Integrity.OpeningFirst(); got != tt.first {
				t.Errorf("OpeningFirst() = %v, want %v", got, tt.first)
			}
			if c.Port != tt.port {
				t.Errorf("port %q, want %q", c.Port, tt.port)
			}
		})
	}
}

// An opening whose payload this build cannot read (newer schema) is
// skipped, not counted as the opening: the crossing's port, lane and mode
// are unknown to this build.
func TestFoldIntegrityNewerOpeningIsMissing(t *testing.T) {
	l := newLog(t, "b1")
	e := l.add("", CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle})
	l.add("", RFIDRead{EPC: "E20000000000000000000001", RSSI: -40})
	l.events[0].Schema = SchemaVersion + 1
	c := Fold(l.events)
	if !c.Integrity.OpeningMissing || !slices.Contains(c.Skipped, e.ID) {
		t.Errorf("integrity %+v skipped %v: want the unreadable opening missing and skipped", c.Integrity, c.Skipped)
	}
}
