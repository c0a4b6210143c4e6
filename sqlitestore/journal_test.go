package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portofentry/booth/records"
)

func journalEntry(kind records.JournalKind, device, code string, at time.Time) records.JournalEntry {
	return records.JournalEntry{Port: "2504", Lane: "V01", Kind: kind, Device: device, Code: code, At: at, Officer: "B1234"}
}

func TestJournalAppendOutboxAck(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	in := []records.JournalEntry{
		journalEntry(records.JournalRPMFault, "rpm", records.FaultGammaHigh, t0),
		journalEntry(records.JournalDeviceDisconnected, "rpm", "", t0.Add(time.Second)),
	}
	out, err := s.AppendJournal(ctx, in...)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Seq != 1 || out[1].Seq != 2 || out[0].Origin != "WS-TEST" || out[0].ID == "" || out[0].RecordedAt.IsZero() {
		t.Fatalf("appended = %+v", out)
	}
	// A retried append (same ids) stores nothing new.
	again, err := s.AppendJournal(ctx, out...)
	if err != nil || len(again) != 2 || again[1].Seq != 2 {
		t.Fatalf("retry = %+v, %v", again, err)
	}
	if _, err := s.AppendJournal(ctx, journalEntry(records.JournalRPMFault, "rpm", "XX", t0)); !errors.Is(err, ErrInvalidJournal) {
		t.Fatalf("bad code: %v", err)
	}
	box, err := s.JournalOutbox(ctx, 0, 10)
	if err != nil || len(box) != 2 {
		t.Fatalf("outbox = %+v, %v", box, err)
	}
	if n, oldest, err := s.JournalBacklog(ctx); err != nil || n != 2 || oldest.IsZero() {
		t.Fatalf("backlog = %d %s %v", n, oldest, err)
	}
	if err := s.AckJournal(ctx, 3); !errors.Is(err, ErrAckBeyondSent) {
		t.Fatalf("ack beyond: %v", err)
	}
	if err := s.AckJournal(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.AckJournal(ctx, 0); err != nil { // never goes back
		t.Fatal(err)
	}
	if a, _ := s.JournalAcked(ctx); a != 1 {
		t.Fatalf("acked = %d", a)
	}
	if box, _ := s.JournalOutbox(ctx, 1, 10); len(box) != 1 || box[0].Seq != 2 {
		t.Fatalf("outbox after ack = %+v", box)
	}
	// Append-only: the schema refuses changes.
	for _, q := range []string{`UPDATE lane_journal SET detail = 'x'`, `DELETE FROM lane_journal`} {
		if _, err := s.write.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestIngestJournalRules(t *testing.T) {
	ctx := context.Background()
	booth := openTest(t)
	server := openAt(t, filepath.Join(t.TempDir(), "server.db"), Options{Origin: "port-2504"})
	var evs []records.JournalEntry
	for i := range 4 {
		e := journalEntry(records.JournalRPMTamper, "rpm", "", t0.Add(time.Duration(i)*time.Second))
		e.Active = i%2 == 1
		evs = append(evs, e)
	}
	evs, err := booth.AppendJournal(ctx, evs...)
	if err != nil {
		t.Fatal(err)
	}
	foreign := evs[0]
	foreign.Origin = "WS-OTHER"
	invalid := evs[2]
	invalid.Kind = "rpm.unknown"
	tests := []struct {
		name    string
		batch   []records.JournalEntry
		acked   int64
		wantErr func(error) bool
	}{
		{"first two", evs[:2], 2, nil},
		{"duplicates are skipped", evs[:2], 2, nil},
		{"gap", evs[3:], 2, func(err error) bool { var g *records.GapError; return errors.As(err, &g) && g.Expected == 3 }},
		{"foreign origin", []records.JournalEntry{foreign}, 2, func(err error) bool { return errors.Is(err, records.ErrForeignOrigin) }},
		{"another entry under a held seq", []records.JournalEntry{func() records.JournalEntry { f := evs[1]; f.ID = records.NewID(); return f }()}, 2,
			func(err error) bool { return errors.Is(err, records.ErrSequenceConflict) }},
		{"invalid", []records.JournalEntry{invalid}, 2, func(err error) bool { return errors.Is(err, ErrInvalidJournal) }},
		{"the rest, after a duplicate", evs[1:], 4, nil},
		{"a held id under a new seq", []records.JournalEntry{func() records.JournalEntry { f := evs[0]; f.Seq = 5; return f }()}, 4,
			func(err error) bool { return errors.Is(err, records.ErrSequenceConflict) }},
	}
	for _, tt := range tests {
		acked, err := server.IngestJournal(ctx, "WS-TEST", tt.batch)
		if acked != tt.acked || (tt.wantErr == nil) != (err == nil) || (err != nil && !tt.wantErr(err)) {
			t.Errorf("%s: acked %d err %v; want acked %d", tt.name, acked, err, tt.acked)
		}
	}
	feed, head, err := server.JournalFeed(ctx, 0, 10)
	if err != nil || head != 4 || len(feed) != 4 || feed[3].Version != 4 || feed[3].ID != evs[3].ID {
		t.Fatalf("feed = %+v head %d %v", feed, head, err)
	}
	if more, _, _ := server.JournalFeed(ctx, 3, 10); len(more) != 1 {
		t.Fatalf("feed after 3 = %+v", more)
	}

	// The console applies the feed with its checkpoint; twice is harmless.
	console := openAt(t, filepath.Join(t.TempDir(), "console.db"), Options{Origin: "sup-1"})
	for range 2 {
		n, err := console.ApplyJournal(ctx, feed[:3], 3)
		if err != nil {
			t.Fatal(err)
		}
		_ = n
	}
	if cp, _ := console.JournalCheckpoint(ctx); cp != 3 {
		t.Fatalf("checkpoint = %d", cp)
	}
	bad := feed[3]
	bad.Seq = 1 // held by another id
	if _, err := console.ApplyJournal(ctx, []records.JournalEntry{feed[3], bad}, 4); !errors.Is(err, records.ErrSequenceConflict) {
		t.Fatalf("conflicting feed: %v", err)
	}
	if cp, _ := console.JournalCheckpoint(ctx); cp != 3 {
		t.Fatalf("a refused apply moved the checkpoint to %d", cp)
	}
	if n, err := console.ApplyJournal(ctx, feed[3:], 4); err != nil || n != 1 {
		t.Fatalf("apply rest = %d %v", n, err)
	}
	got, err := console.JournalEntries(ctx, records.JournalQuery{Lane: "V01", Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second)})
	if err != nil || len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 2 || got[0].Active || !got[1].Active {
		t.Fatalf("entries = %+v, %v", got, err)
	}
	if got, _ := console.JournalEntries(ctx, records.JournalQuery{Lane: "V99"}); len(got) != 0 {
		t.Fatalf("other lane = %+v", got)
	}
}

func TestHeartbeatsAndPortStatusCopy(t *testing.T) {
	ctx := context.Background()
	server := openAt(t, filepath.Join(t.TempDir(), "server.db"), Options{Origin: "port-2504"})
	hb := records.Heartbeat{Workstation: "booth-1", Role: "primary", Lane: "V01", Officer: "B1", State: records.LaneIdle,
		Devices: []records.DeviceStatus{{Device: "rpm", State: "disconnected"}}, At: t0, ReceivedAt: t0.Add(time.Second)}
	if err := server.RecordHeartbeat(ctx, hb); err != nil {
		t.Fatal(err)
	}
	older := hb
	older.Officer, older.ReceivedAt = "B-OLD", t0 // arrives late: ignored
	if err := server.RecordHeartbeat(ctx, older); err != nil {
		t.Fatal(err)
	}
	if err := server.RecordHeartbeat(ctx, records.Heartbeat{Workstation: "", ReceivedAt: t0}); err == nil {
		t.Fatal("heartbeat without workstation accepted")
	}
	st, err := server.PortStatus(ctx)
	if err != nil || len(st.Heartbeats) != 1 || st.Heartbeats[0].Officer != "B1" || st.Heartbeats[0].Devices[0].State != "disconnected" {
		t.Fatalf("port status = %+v, %v", st, err)
	}
	console := openAt(t, filepath.Join(t.TempDir(), "console.db"), Options{Origin: "sup-1"})
	if cp, err := console.WatchedPortStatus(ctx); err != nil || !cp.FetchedAt.IsZero() {
		t.Fatalf("empty copy = %+v %v", cp, err)
	}
	if err := console.ApplyPortStatus(ctx, st); err != nil {
		t.Fatal(err)
	}
	cp, err := console.WatchedPortStatus(ctx)
	if err != nil || cp.FetchedAt.IsZero() || len(cp.Heartbeats) != 1 || cp.Heartbeats[0].Workstation != "booth-1" {
		t.Fatalf("copy = %+v %v", cp, err)
	}
}

func TestSignedInFromTheAuditChain(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	check := func(step, officer string, locked bool) {
		t.Helper()
		o, l, _, err := s.SignedIn(ctx)
		if err != nil || o != officer || l != locked {
			t.Errorf("%s: signed in %q locked %v (%v), want %q %v", step, o, l, err, officer, locked)
		}
	}
	check("nothing yet", "", false)
	for _, st := range []struct {
		action, officer, want string
		locked                bool
	}{
		{ActionLogin, "B1", "B1", false},
		{ActionView, "B1", "B1", false},
		{ActionLock, "B1", "B1", true},
		{ActionUnlock, "B1", "B1", false},
		{ActionLogout, "B1", "", false},
		{ActionLoginBreakGlass, "BG1", "BG1", false},
	} {
		if err := s.Audit(ctx, AuditEntry{Officer: st.officer, Action: st.action, Subject: "x"}); err != nil {
			t.Fatal(err)
		}
		check(st.action, st.want, st.locked)
	}
}

func TestQueryAudit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for i, e := range []AuditEntry{
		{Officer: "B1", Action: "view", Subject: "C1", At: t0},
		{Officer: "B1", Action: "search", Subject: "plate=X", At: t0.Add(time.Minute)},
		{Officer: "B2", Action: "view", Subject: "C2", At: t0.Add(2 * time.Minute)},
		{Officer: "B2", Action: "login", Subject: "B2", At: t0.Add(3 * time.Minute)},
	} {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	tests := []struct {
		q    records.AuditQuery
		want string
	}{
		{records.AuditQuery{}, "B2,C2,plate=X,C1"}, // newest first
		{records.AuditQuery{Officer: "B1"}, "plate=X,C1"},
		{records.AuditQuery{Action: "view"}, "C2,C1"},
		{records.AuditQuery{Officer: "B2", Action: "view"}, "C2"},
		{records.AuditQuery{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, "C2,plate=X"},
		{records.AuditQuery{Limit: 1}, "B2"},
		{records.AuditQuery{Origin: "WS-OTHER"}, ""},
	}
	for _, tt := range tests {
		got, err := s.QueryAudit(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var subj []string
		for _, e := range got {
			subj = append(subj, e.Subject)
		}
		if strings.Join(subj, ",") != tt.want {
			t.Errorf("QueryAudit(%s) = %s, want %s", tt.q, strings.Join(subj, ","), tt.want)
		}
	}
}

// TestScreensHandleIsReadOnlyInSQLite: the handle a supervisor's screens
// read through (a store opened ReadOnly beside the system's writable one)
// refuses an INSERT in SQLite itself with SQLITE_READONLY, while the
// system's handle keeps writing the replica.
func TestScreensHandleIsReadOnlyInSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "console.db")
	system := openAt(t, path, Options{Origin: "sup-1"})
	screens := openAt(t, path, Options{ReadOnly: true})
	for _, q := range []string{
		`INSERT INTO audit_log (id, origin, seq, at, officer, action, subject, detail, prev_hash, hash) VALUES ('x', 'sup-1', 1, 0, '', 'view', '', '{}', x'00', x'00')`,
		`INSERT INTO port_status_copy (singleton, fetched_at, body) VALUES (1, 0, '{}')`,
		// query_only switched off: mode=ro still refuses (query_only alone
		// would not count).
		`PRAGMA query_only = 0; INSERT INTO port_status_copy (singleton, fetched_at, body) VALUES (1, 0, '{}')`,
	} {
		_, err := screens.read.ExecContext(ctx, q)
		var se *sqlite.Error
		if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
			t.Errorf("%.40s… through the screens' handle: %v, want SQLITE_READONLY", q, err)
		}
	}
	// The control: a handle kept read-only by query_only alone lets the
	// same statement through, so the test above can fail.
	qo, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer qo.Close()
	qo.SetMaxOpenConns(1)
	if _, err := qo.ExecContext(ctx, `INSERT INTO port_status_copy (singleton, fetched_at, body) VALUES (1, 0, '{}')`); err == nil {
		t.Fatal("query_only did not refuse the insert")
	}
	if _, err := qo.ExecContext(ctx, `PRAGMA query_only = 0; INSERT INTO port_status_copy (singleton, fetched_at, body) VALUES (1, 0, '{}')`); err != nil {
		t.Fatalf("control: a query_only handle switched back wrote nothing: %v", err)
	}
	qo.Close()
	if err := screens.Audit(ctx, AuditEntry{Officer: "S1", Action: "view", Subject: "C1"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Audit through the screens' store: %v", err)
	}
	// The system writes; the screens see it.
	if err := system.ApplyPortStatus(ctx, records.PortStatus{At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := system.Audit(ctx, records.ViewAudit("S1", "C1", "supervisor")); err != nil {
		t.Fatal(err)
	}
	if st, err := screens.WatchedPortStatus(ctx); err != nil || st.FetchedAt.IsZero() {
		t.Fatalf("screens read %+v %v", st, err)
	}
	if got, err := screens.QueryAudit(ctx, records.AuditQuery{Action: "view"}); err != nil || len(got) != 1 || got[0].Officer != "S1" {
		t.Fatalf("screens audit read %+v %v", got, err)
	}
}
