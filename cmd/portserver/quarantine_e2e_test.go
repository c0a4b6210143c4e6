package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// TestQuarantineThroughServer runs the real server: events it will not
// apply (a newer schema, an unknown kind, a payload with a field its kind
// does not have, a second opening of another workstation's crossing) are
// acknowledged, so each booth's queue moves on, held out of the feed, named
// to the booth in the acknowledgement, to supervisors on /v1/quarantine and
// in `portserver status`; `portserver quarantine` releases or rejects them,
// audited under the operator.
func TestQuarantineThroughServer(t *testing.T) {
	r := newRig(t, "booth-1")
	pki := filepath.Join(r.dir, "pki")
	cli(t, "pki", "issue", "--role", "secondary", "--workstation", "sec-1", "--dir", pki)
	cli(t, "pki", "issue", "--role", "supervisor", "--workstation", "sup-1", "--dir", pki)
	booth := certClient(t, r.proxy.Addr(), pki, "booth-1")
	sec := certClient(t, r.proxy.Addr(), pki, "sec-1")
	sup := certClient(t, r.proxy.Addr(), pki, "sup-1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	x := records.NewID()
	ev := func(origin string, seq int64, p records.Payload) records.Event {
		e, err := records.NewEvent(x, p, time.Date(2026, 11, 25, 10, 0, int(seq), 0, time.UTC), "B100")
		if err != nil {
			t.Fatal(err)
		}
		e.Origin, e.OriginSeq, e.RecordedAt = origin, seq, e.At
		return e
	}
	newer := ev("booth-1", 3, records.Note{Text: "from a newer build"})
	newer.Schema = records.SchemaVersion + 1
	unknown := ev("booth-1", 4, records.Note{})
	unknown.Kind, unknown.Payload = "vehicle.teleported", json.RawMessage(`{"to":"elsewhere"}`)
	resp, err := booth.SendBatch(ctx, replication.BatchRequest{Events: []records.Event{
		ev("booth-1", 1, records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"}),
		ev("booth-1", 2, records.Referred{Reasons: []string{records.ReasonRandom}}),
		newer, unknown,
		ev("booth-1", 5, records.Note{Text: "after the held ones"}),
	}})
	if err != nil || resp.Acked != 5 || resp.Applied != 3 || len(resp.Quarantined) != 2 ||
		resp.Quarantined[0].OriginSeq != 3 || resp.Quarantined[0].Code != records.QuarantineSchemaTooNew ||
		resp.Quarantined[1].Code != records.QuarantineUnknownKind {
		t.Fatalf("booth batch: %+v, %v; want 5 acknowledged, 3 applied, #3 and #4 quarantined", resp, err)
	}
	extra := ev("sec-1", 3, records.Note{Text: "x"})
	extra.Payload = json.RawMessage(`{"text":"x","priority":"high"}`)
	reopen := ev("sec-1", 2, records.CrossingOpened{Port: "2604", Lane: "S1", Mode: records.ModeVehicle, Trigger: "manual"})
	resp, err = sec.SendBatch(ctx, replication.BatchRequest{Events: []records.Event{ev("sec-1", 1, records.SecondaryTaken{}), reopen, extra}})
	if err != nil || resp.Acked != 3 || resp.Applied != 1 || len(resp.Quarantined) != 2 || resp.Quarantined[0].Code != records.QuarantineNotAllowed {
		t.Fatalf("secondary batch: %+v, %v", resp, err)
	}
	// A supervisor's events are refused outright; it sees the quarantine.
	if _, err := sup.SendBatch(ctx, replication.BatchRequest{Events: []records.Event{ev("sup-1", 1, records.Note{Text: "x"})}}); err == nil {
		t.Fatal("a supervisor's event was taken")
	}
	body, err := sup.Get(ctx, replication.PathQuarantine)
	var q replication.QuarantineResponse
	if err != nil || json.Unmarshal(body, &q) != nil || len(q.Held) != 4 {
		t.Fatalf("supervisor's view of the quarantine: %s, %v", body, err)
	}
	feedIDs := func(after int64) []string {
		f, err := booth.Feed(ctx, after, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range f.Events {
			ids = append(ids, e.ID)
		}
		return ids
	}
	before := feedIDs(0)
	for _, id := range []string{newer.ID, unknown.ID, reopen.ID, extra.ID} {
		if slices.Contains(before, id) {
			t.Fatalf("the feed serves quarantined event %s", id)
		}
	}
	if len(before) != 4 {
		t.Fatalf("feed serves %d events, want the 4 applied", len(before))
	}

	// Status, text and JSON.
	var st statusReport
	if err := json.Unmarshal([]byte(cli(t, "status", "--db", filepath.Join(r.dir, "server.db"), "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Quarantine.Held != 4 || st.Quarantine.ByWorkstation["booth-1"] != 2 || st.Quarantine.ByWorkstation["sec-1"] != 2 {
		t.Fatalf("status --json quarantine = %+v", st.Quarantine)
	}
	for _, w := range st.Workstations {
		if w.Workstation == "booth-1" && (w.HighWater != 5 || w.RefusedSeq != 3 || !strings.Contains(w.RefusedReason, "2 events held")) {
			t.Fatalf("booth-1 status = %+v", w)
		}
	}
	if text := cli(t, "status", "--db", filepath.Join(r.dir, "server.db")); !strings.Contains(text, "QUARANTINE: 4 events held") || !strings.Contains(text, unknown.ID) {
		t.Fatalf("status text:\n%s", text)
	}

	// Decisions, while the server runs.
	db := filepath.Join(r.dir, "server.db")
	for _, args := range [][]string{
		{"quarantine", "release", extra.ID, "--db", db},
		{"quarantine", "release", extra.ID, "--db", db, "--operator", "  "},
		{"quarantine", "release", "--db", db, "--operator", "IT-7"},
	} {
		if code, _, errs := runBin(t, r.dir, args...); code != 2 {
			t.Fatalf("%v: exit %d (%s), want a usage error", args, code, errs)
		}
	}
	if code, _, errs := runBin(t, r.dir, "quarantine", "release", newer.ID, "--db", db, "--operator", "IT-7"); code != 1 || !strings.Contains(errs, "cannot apply") {
		t.Fatalf("release of a newer schema: exit %d, %s", code, errs)
	}
	head := before
	out := cli(t, "quarantine", "release", extra.ID, "--db", db, "--operator", "IT-7", "--note", "harmless field")
	if !strings.Contains(out, "released") {
		t.Fatalf("release: %q", out)
	}
	cli(t, "quarantine", "reject", reopen.ID, "--db", db, "--operator", "IT-8", "--note", "opened at the booth")
	if code, _, _ := runBin(t, r.dir, "quarantine", "reject", reopen.ID, "--db", db, "--operator", "IT-8"); code != 1 {
		t.Fatal("a decided event was decided again")
	}
	after := feedIDs(0)
	if len(after) != len(head)+1 || !slices.Contains(after, extra.ID) || slices.Contains(after, reopen.ID) {
		t.Fatalf("feed after release and reject: %v", after)
	}
	lines := strings.Split(strings.TrimSpace(cli(t, "quarantine", "list", "--db", db, "--state", "all", "--json")), "\n")
	if len(lines) != 4 {
		t.Fatalf("quarantine list --state all: %d lines, want 4 (nothing deleted)", len(lines))
	}
	body, _ = sup.Get(ctx, replication.PathQuarantine)
	if json.Unmarshal(body, &q) != nil || len(q.Held) != 2 {
		t.Fatalf("held after the decisions: %s", body)
	}

	// The decisions are in the server's audit chain, which verifies.
	if code, out, errs := runBin(t, r.dir, "audit", "verify", "--db", db); code != 0 {
		t.Fatalf("audit verify: %d %s %s", code, out, errs)
	}
	r.stopServer(t)
	st = statusReport{}
	if err := json.Unmarshal([]byte(cli(t, "status", "--db", db, "--json")), &st); err != nil || st.Quarantine.Held != 2 {
		t.Fatalf("status after the decisions: %+v, %v", st.Quarantine, err)
	}
	s, err := sqlitestore.Open(ctx, db, sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.RecentAudit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	decided := map[string]string{}
	for _, e := range entries {
		decided[e.Action+" "+e.Subject] = e.Officer
	}
	if decided[sqlitestore.ActionQuarantineRelease+" event:"+extra.ID] != "IT-7" || decided[sqlitestore.ActionQuarantineReject+" event:"+reopen.ID] != "IT-8" {
		t.Fatalf("audited decisions: %v", decided)
	}
}
