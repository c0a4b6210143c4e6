package records

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzFold feeds arbitrary kinds, schemas and payload bytes (as replication
// from a buggy or newer workstation might deliver) through Decode and Fold:
// neither may panic, and every event is either folded or listed as skipped.
func FuzzFold(f *testing.F) {
	l := cleanSentri(&testing.T{}, "seed")
	for _, e := range l.events {
		f.Add(string(e.Kind), e.Schema, []byte(e.Payload), int64(0))
	}
	f.Add("referral", 1, []byte(`{"reasons":null}`), int64(-1))
	f.Add("rfid.read", 1, []byte(`{"enrollment":{"document":{}}}`), int64(5))
	f.Add("lss.answered", 1, []byte(`{"occupancy":-1}`), int64(1<<40))
	f.Add("note", 99, []byte(`{}`), int64(0))
	f.Add("secondary.taken", 2, []byte(`{"note":""}`), int64(3))
	f.Add("lss.answered", 2, []byte(`{"occupancy":0,"code":99,"isotopes":["Xx"]}`), int64(2))
	f.Add("determination", 2, []byte(`{"outcome":"turned_over","supersedes":"fuzz"}`), int64(9))
	f.Fuzz(func(t *testing.T, kind string, schema int, payload []byte, offset int64) {
		if !json.Valid(payload) {
			payload = []byte(`null`)
		}
		evs := append([]Event(nil), l.events...)
		evs = append(evs, Event{
			ID: "fuzz", CrossingID: l.id, Kind: Kind(kind), Schema: schema,
			At: t0.Add(time.Duration(offset)), Payload: payload,
		})
		c := Fold(evs)
		if c.Events != len(evs) {
			t.Fatalf("folded %d of %d events", c.Events, len(evs))
		}
		c.CanAdmit()
		c.CanDetermine(OutcomeAdmitted)
		c.QueueEntry(t0)
		if tl := Timeline(evs); len(tl) != len(evs) {
			t.Fatalf("timeline has %d of %d events", len(tl), len(evs))
		}
	})
}
