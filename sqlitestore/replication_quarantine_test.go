package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// remoteEvent builds an event of origin #seq as a workstation would send it.
func remoteEvent(t *testing.T, origin string, seq int64, crossing string, p records.Payload) records.Event {
	t.Helper()
	e, err := records.NewEvent(crossing, p, time.Date(2026, 11, 25, 10, 0, int(seq), 0, time.UTC), "B100")
	if err != nil {
		t.Fatal(err)
	}
	e.Origin, e.OriginSeq, e.RecordedAt = origin, seq, e.At
	return e
}

func openedAt(port string) records.CrossingOpened {
	return records.CrossingOpened{Port: port, Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"}
}

// TestIngestQuarantinesWhatItWillNotApply: each kind of event the server
// will not apply is stored in quarantine under its number; the batch goes on,
// the high-water mark moves past it, it is neither projected nor served, and
// status names it. Events that only look odd (schema-1 free text) are
// applied.
func TestIngestQuarantinesWhatItWillNotApply(t *testing.T) {
	ctx := context.Background()
	x := records.NewID()
	type mut func(e *records.Event)
	raw := func(kind records.Kind, schema int, payload string) mut {
		return func(e *records.Event) { e.Kind, e.Schema, e.Payload = kind, schema, json.RawMessage(payload) }
	}
	refused := []struct {
		name string
		mut  mut
		code string
	}{
		{"newer schema", raw(records.KindNote, records.SchemaVersion+1, `{"text":"x"}`), records.QuarantineSchemaTooNew},
		{"unknown kind", raw("crossing.teleported", 1, `{"to":"mars"}`), records.QuarantineUnknownKind},
		{"field the kind does not have", raw(records.KindNote, 1, `{"text":"x","admit":true}`), records.QuarantineInvalidPayload},
		{"wrong type", raw(records.KindDetermination, 1, `{"outcome":7}`), records.QuarantineInvalidPayload},
		{"unknown outcome", raw(records.KindDetermination, 1, `{"outcome":"waved_through"}`), records.QuarantineInvalidPayload},
		{"turned over to nobody", raw(records.KindDetermination, 2, `{"outcome":"turned_over","agency":"  "}`), records.QuarantineInvalidPayload},
		{"schema-2 seizure without item", raw(records.KindSecondaryFinding, 2, `{"category":"seizure","text":"x","quantity":"2 kg"}`), records.QuarantineInvalidPayload},
		{"schema-2 LSS answer without code", raw(records.KindLSSAnswered, 2, `{"occupancy":1,"isotopes":["Cs-137"]}`), records.QuarantineInvalidPayload},
		{"second opening without a lane", raw(records.KindCrossingOpened, 1, `{"port":"2604","lane":"","mode":"vehicle"}`), records.QuarantineInvalidPayload},
		{"payload not JSON", raw(records.KindNote, 1, `{"text":`), records.QuarantineInvalidEvent},
		{"officer with a control character", func(e *records.Event) { e.Officer = "B1\x00" }, records.QuarantineInvalidEvent},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			server := openReplStore(t, "port-2604")
			bad := remoteEvent(t, "booth-1", 3, x, records.Note{Text: "to be spoiled"})
			tc.mut(&bad)
			batch := []records.Event{
				remoteEvent(t, "booth-1", 1, x, openedAt("2604")),
				remoteEvent(t, "booth-1", 2, x, records.Note{Text: "before"}),
				bad,
				remoteEvent(t, "booth-1", 4, x, records.Note{Text: "after"}),
			}
			res, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: batch})
			if err != nil || res.Acked != 4 || res.Applied != 3 {
				t.Fatalf("ingest = %+v, %v; want all 4 acknowledged, 3 applied", res, err)
			}
			evs, err := server.Events(ctx, x)
			if err != nil || len(evs) != 3 {
				t.Fatalf("crossing holds %d events (%v), want the 3 applied", len(evs), err)
			}
			for _, e := range evs {
				if e.ID == bad.ID {
					t.Fatal("the quarantined event was applied")
				}
			}
			feed, err := server.FeedSince(ctx, 0, 100)
			if err != nil || len(feed) != 3 {
				t.Fatalf("feed serves %d events (%v), want 3", len(feed), err)
			}
			held, err := server.HeldQuarantine(ctx, "booth-1")
			if err != nil || len(held) != 1 || held[0].Event.ID != bad.ID || held[0].Code != tc.code || held[0].State != records.QuarantineHeld {
				t.Fatalf("held = %+v, %v; want %s with code %s", held, err, bad.ID, tc.code)
			}
			if string(held[0].Event.Payload) != string(bad.Payload) || held[0].Event.Kind != bad.Kind {
				t.Fatalf("quarantine changed the event: %s %s", held[0].Event.Kind, held[0].Event.Payload)
			}
			ws, err := server.Workstations(ctx)
			if err != nil || len(ws) != 1 || ws[0].HighWater != 4 || ws[0].RefusedSeq != 3 || !strings.HasPrefix(ws[0].RefusedReason, tc.code) {
				t.Fatalf("status = %+v, %v", ws, err)
			}
			// A resend after a lost ack is a duplicate, quarantined one included.
			res, err = server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: batch})
			if err != nil || res.Duplicates != 4 || res.Applied != 0 {
				t.Fatalf("resend = %+v, %v", res, err)
			}
			// Another event under the quarantined number is a conflict.
			other := remoteEvent(t, "booth-1", 3, x, records.Note{Text: "other"})
			if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: []records.Event{other}}); !errors.Is(err, records.ErrSequenceConflict) {
				t.Fatalf("another event as #3: %v", err)
			}
			// The next number is 5.
			next := remoteEvent(t, "booth-1", 6, x, records.Note{Text: "skips"})
			var gap *records.GapError
			if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: []records.Event{next}}); !errors.As(err, &gap) || gap.Expected != 5 {
				t.Fatalf("gap after quarantine: %v", err)
			}
		})
	}

	// What schema 1 allowed stays valid: a free finding category, a
	// free-text LSS answer, an empty closing.
	server := openReplStore(t, "port-2604")
	y := records.NewID()
	fine := []records.Event{
		remoteEvent(t, "booth-1", 1, y, openedAt("2604")),
		remoteEvent(t, "booth-1", 2, y, records.SecondaryFinding{Category: "customs", Text: "undeclared fruit"}),
		remoteEvent(t, "booth-1", 3, y, records.LSSAnswered{Occupancy: 1, Answer: "NORM"}),
		remoteEvent(t, "booth-1", 4, y, records.Determination{Outcome: records.OutcomeArrested}),
		remoteEvent(t, "booth-1", 5, y, records.CrossingClosed{}),
	}
	if res, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "secondary", Events: fine}); err != nil || res.Applied != 5 {
		t.Fatalf("schema-1 events: %+v, %v", res, err)
	}
	if held, _ := server.Quarantined(ctx, QuarantineFilter{}); len(held) != 0 {
		t.Fatalf("valid events quarantined: %+v", held)
	}
}

func TestCrossWriteRule(t *testing.T) {
	own := ownerInfo{origin: "booth-1", port: "2604"}
	tests := []struct {
		name   string
		origin string
		role   string
		kind   records.Kind
		owner  ownerInfo
		allow  bool
	}{
		{"own crossing", "booth-1", "primary", records.KindDetermination, own, true},
		{"crossing not held yet", "booth-2", "primary", records.KindCrossingOpened, ownerInfo{}, true},
		{"secondary takes a referral", "sec-1", "secondary", records.KindSecondaryTaken, own, true},
		{"secondary determination", "sec-1", "secondary", records.KindDetermination, own, true},
		{"another primary of the port", "booth-2", "primary", records.KindNote, own, true},
		{"secondary opens it again", "sec-1", "secondary", records.KindCrossingOpened, own, false},
		{"supervisor on another crossing", "sup-1", "supervisor", records.KindNote, own, false},
		{"supervisor on a crossing of its own", "sup-1", "supervisor", records.KindCrossingOpened, ownerInfo{}, false},
		{"port origin answers LSS", "port-2604", "", records.KindLSSAnswered, own, true},
		{"port origin determines", "port-2604", "", records.KindDetermination, own, false},
		{"crossing of another port", "sec-1", "secondary", records.KindNote, ownerInfo{origin: "booth-9", port: "0901"}, false},
		{"unknown role", "x-1", "auditor", records.KindNote, own, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := crossWriteRefusal(tt.origin, tt.role, tt.kind, tt.owner, "port-2604")
			if (why == "") != tt.allow {
				t.Fatalf("refusal %q, want allowed=%v", why, tt.allow)
			}
		})
	}
}

// TestIngestCrossWrites: the rule through Ingest, with the crossings as the
// server holds them.
func TestIngestCrossWrites(t *testing.T) {
	ctx := context.Background()
	server := openReplStore(t, "port-2604")
	x, far := records.NewID(), records.NewID()
	if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: []records.Event{
		remoteEvent(t, "booth-1", 1, x, openedAt("2604")),
		remoteEvent(t, "booth-1", 2, x, records.Referred{Reasons: []string{records.ReasonRandom}}),
		remoteEvent(t, "booth-1", 3, far, openedAt("0901")),
	}}); err != nil {
		t.Fatal(err)
	}
	res, err := server.Ingest(ctx, IngestBatch{Origin: "sec-1", Role: "secondary", Events: []records.Event{
		remoteEvent(t, "sec-1", 1, x, records.SecondaryTaken{}),
		remoteEvent(t, "sec-1", 2, x, openedAt("2604")), // a second opening
		remoteEvent(t, "sec-1", 3, far, records.Note{Text: "another port's crossing"}),
		remoteEvent(t, "sec-1", 4, x, records.Determination{Outcome: records.OutcomeAdmitted}),
	}})
	if err != nil || res.Acked != 4 || res.Applied != 2 {
		t.Fatalf("secondary batch: %+v, %v; want 4 acknowledged, 2 applied", res, err)
	}
	held, _ := server.HeldQuarantine(ctx, "sec-1")
	if len(held) != 2 || held[0].Event.OriginSeq != 2 || held[1].Event.OriginSeq != 3 ||
		held[0].Code != records.QuarantineNotAllowed || held[1].Code != records.QuarantineNotAllowed {
		t.Fatalf("held = %+v", held)
	}
	// A supervisor's write (the server refuses it before the store; the
	// store holds the rule too).
	res, err = server.Ingest(ctx, IngestBatch{Origin: "sup-1", Role: "supervisor", Events: []records.Event{
		remoteEvent(t, "sup-1", 1, x, records.Note{Text: "nope"}),
	}})
	if err != nil || res.Applied != 0 || res.Acked != 1 {
		t.Fatalf("supervisor: %+v, %v", res, err)
	}
	// Nobody sends under the port's own origin.
	if _, err := server.Ingest(ctx, IngestBatch{Origin: "port-2604", Role: "secondary", Events: []records.Event{
		remoteEvent(t, "port-2604", 1, x, records.Note{Text: "as the port"}),
	}}); !errors.Is(err, records.ErrForeignOrigin) {
		t.Fatalf("batch under the port's origin: %v", err)
	}
}

func TestQuarantineDecisions(t *testing.T) {
	ctx := context.Background()
	server := openReplStore(t, "port-2604")
	x := records.NewID()
	second := remoteEvent(t, "sec-1", 1, x, openedAt("2604"))
	newer := remoteEvent(t, "sec-1", 2, x, records.Note{Text: "from the future"})
	newer.Schema = records.SchemaVersion + 1
	bad := remoteEvent(t, "sec-1", 3, x, records.Note{Text: "x"})
	bad.Payload = json.RawMessage(`{"text":"x","extra":1}`)
	if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: []records.Event{
		remoteEvent(t, "booth-1", 1, x, openedAt("2604")),
	}}); err != nil {
		t.Fatal(err)
	}
	if res, err := server.Ingest(ctx, IngestBatch{Origin: "sec-1", Role: "secondary", Events: []records.Event{second, newer, bad}}); err != nil || res.Applied != 0 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	head, _ := server.FeedHead(ctx)

	for _, d := range []QuarantineDecision{{ID: bad.ID, Operator: "  "}, {ID: bad.ID}, {ID: "", Operator: "IT-7"}} {
		if _, err := server.ReleaseQuarantined(ctx, d); err == nil {
			t.Fatalf("decision %+v accepted", d)
		}
	}
	if _, err := server.ReleaseQuarantined(ctx, QuarantineDecision{ID: "no-such", Operator: "IT-7"}); !errors.Is(err, ErrNotQuarantined) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := server.ReleaseQuarantined(ctx, QuarantineDecision{ID: newer.ID, Operator: "IT-7"}); !errors.Is(err, ErrCannotRelease) {
		t.Fatalf("release of a newer schema: %v", err)
	}

	// Release: applied, projected and served from a new feed version.
	q, err := server.ReleaseQuarantined(ctx, QuarantineDecision{ID: bad.ID, Operator: "IT-7", Note: "extra field is harmless"})
	if err != nil || q.State != records.QuarantineReleased || q.DecidedBy != "IT-7" {
		t.Fatalf("release: %+v, %v", q, err)
	}
	feed, err := server.FeedSince(ctx, head, 10)
	if err != nil || len(feed) != 1 || feed[0].Event.ID != bad.ID {
		t.Fatalf("feed after release: %+v, %v", feed, err)
	}
	if _, err := server.ReleaseQuarantined(ctx, QuarantineDecision{ID: bad.ID, Operator: "IT-7"}); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("second decision: %v", err)
	}
	// Reject: kept, never applied.
	if q, err := server.RejectQuarantined(ctx, QuarantineDecision{ID: second.ID, Operator: "IT-8", Note: "opened at the booth"}); err != nil || q.State != records.QuarantineRejected {
		t.Fatalf("reject: %+v, %v", q, err)
	}
	if _, err := server.ReleaseQuarantined(ctx, QuarantineDecision{ID: second.ID, Operator: "IT-7"}); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("release after reject: %v", err)
	}
	evs, _ := server.Events(ctx, x)
	if len(evs) != 2 {
		t.Fatalf("crossing holds %d events, want the opening and the released one", len(evs))
	}
	all, _ := server.Quarantined(ctx, QuarantineFilter{})
	held, _ := server.HeldQuarantine(ctx, "sec-1")
	if len(all) != 3 || len(held) != 1 || held[0].Event.ID != newer.ID {
		t.Fatalf("quarantine after decisions: all %d, held %+v", len(all), held)
	}
	// Both decisions are audited with the operator.
	entries, err := server.RecentAudit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.Action+" "+e.Subject] = e.Officer
	}
	if got[ActionQuarantineRelease+" event:"+bad.ID] != "IT-7" || got[ActionQuarantineReject+" event:"+second.ID] != "IT-8" {
		t.Fatalf("audit = %v", got)
	}
	if rep, err := server.VerifyAudit(ctx); err != nil || !rep.OK {
		t.Fatalf("audit chain after decisions: %+v, %v", rep, err)
	}
	// Nothing is deleted or rewritten, even by hand.
	if _, err := server.write.ExecContext(ctx, `DELETE FROM repl_quarantine WHERE id = ?`, newer.ID); err == nil {
		t.Fatal("a quarantined event was deleted")
	}
	if _, err := server.write.ExecContext(ctx, `UPDATE repl_quarantine SET payload = '{}' WHERE id = ?`, newer.ID); err == nil {
		t.Fatal("a quarantined event was rewritten")
	}
	if _, err := server.write.ExecContext(ctx, `UPDATE repl_quarantine SET state = 'held' WHERE id = ?`, bad.ID); err == nil {
		t.Fatal("a decision was undone")
	}
}
