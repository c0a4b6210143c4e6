package tui

import (
	"testing"
	"time"
)

// FuzzKeyBindings feeds arbitrary [keys] tables: Apply either rebinds or
// returns an error, never panics, and a successful result has no conflict.
func FuzzKeyBindings(f *testing.F) {
	for _, s := range []string{"f2", "ctrl+a", "shift+tab", "+", "ctrl++", "alt+", "é", "ctrl+alt+shift+x", "f21", "f0", "", "hyper+a"} {
		f.Add("admit", s)
		f.Add("bogus", s)
	}
	f.Fuzz(func(t *testing.T, action, k string) {
		km, err := DefaultKeyMap().Apply(map[string][]string{action: {k}})
		if err != nil {
			return
		}
		if err := km.conflicts(); err != nil {
			t.Fatalf("Apply accepted a conflict: %v", err)
		}
	})
}

// FuzzManualEntry feeds arbitrary keyed MRZ lines and fields: the form
// either yields a document or a clear error, never a panic.
func FuzzManualEntry(f *testing.F) {
	f.Add("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10", "", "", "")
	f.Add("", "", "561234567", "GARCIA", "1984-03-17")
	f.Add("", "", "X", "", "1984-13-45")
	f.Add("«««", "\x00\xff", "", "", "")
	f.Fuzz(func(t *testing.T, l1, l2, number, surname, dob string) {
		d := newManualDialog(&common{keys: DefaultKeyMap(), now: time.Now})
		d.inputs[0].SetValue(l1)
		d.inputs[1].SetValue(l2)
		d.inputs[mrzInputs+1].SetValue("USA")
		d.inputs[mrzInputs+2].SetValue(number)
		d.inputs[mrzInputs+3].SetValue(surname)
		d.inputs[mrzInputs+6].SetValue(dob)
		p, err := d.parse(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
		if err == nil && p.MRZ == nil && p.Fields == nil {
			t.Fatal("no error and no document")
		}
	})
}
