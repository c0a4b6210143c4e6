package replication

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

func runReporter(t *testing.T, cfg ReporterConfig) *Reporter {
	t.Helper()
	cfg.Logger, cfg.Every = quietLog(), 50*time.Millisecond
	r, err := NewReporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func appendJournal(t *testing.T, s *sqlitestore.Store, n int) []records.JournalEntry {
	t.Helper()
	var in []records.JournalEntry
	for i := range n {
		in = append(in, records.JournalEntry{Port: "2604", Lane: "L1", Kind: records.JournalRPMFault, Device: "rpm",
			Code: records.FaultGammaHigh, At: time.Now().Add(time.Duration(i) * time.Millisecond)})
	}
	out, err := s.AppendJournal(context.Background(), in...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLaneJournalAndHeartbeatReachTheSupervisor: a booth's journal and
// heartbeat go up over mTLS, the server holds the journal exactly (same
// ids, seq 1..n) and the heartbeat under the certificate's name, and a
// supervisor console's watcher brings both down into its replica, where
// the dashboard shows the lane's officer, its disconnected RPM and the
// fault.
func TestLaneJournalAndHeartbeatReachTheSupervisor(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	sent := appendJournal(t, booth, 3)
	hb := func(context.Context) records.Heartbeat {
		// A forged name is overwritten with the certificate's.
		return records.Heartbeat{Workstation: "booth-9", Role: "supervisor", Port: "2604", Lane: "L1", Mode: records.ModeVehicle,
			Officer: "B100", State: records.LaneIdle, Devices: []records.DeviceStatus{{Device: "rpm", State: "disconnected"}}}
	}
	rep := runReporter(t, ReporterConfig{Store: booth, Client: newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")), Heartbeat: hb})
	waitFor(t, 5*time.Second, "journal acknowledged", func() bool { a, _ := booth.JournalAcked(ctx); return a == 3 })
	more := appendJournal(t, booth, 2)
	rep.Notify()
	waitFor(t, 5*time.Second, "notified entries acknowledged", func() bool { a, _ := booth.JournalAcked(ctx); return a == 5 })

	held, head, err := srv.store.JournalFeed(ctx, 0, 100)
	if err != nil || head != 5 || len(held) != 5 {
		t.Fatalf("server journal = %d entries head %d, %v", len(held), head, err)
	}
	for i, e := range append(sent, more...) {
		if held[i].ID != e.ID || held[i].Seq != int64(i+1) || held[i].Origin != "booth-1" {
			t.Fatalf("entry %d: server %s #%d, booth %s #%d", i, held[i].ID, held[i].Seq, e.ID, e.Seq)
		}
	}
	waitFor(t, 5*time.Second, "heartbeat recorded", func() bool { hbs, _ := srv.store.Heartbeats(ctx); return len(hbs) == 1 })
	hbs, _ := srv.store.Heartbeats(ctx)
	if hbs[0].Workstation != "booth-1" || hbs[0].Role != RolePrimary || hbs[0].ReceivedAt.IsZero() || hbs[0].At.IsZero() {
		t.Fatalf("heartbeat = %+v", hbs[0])
	}

	console := openStore(t, "sup-1")
	changed := make(chan struct{}, 10)
	w, err := NewPortWatcher(PortWatcherConfig{Store: console, Client: newClient(t, srv.url, pki.client(t, RoleSupervisor, "sup-1")),
		Logger: quietLog(), OnChanged: func() { changed <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if len(changed) == 0 {
		t.Error("OnChanged not called")
	}
	if cp, _ := console.JournalCheckpoint(ctx); cp != 5 {
		t.Fatalf("console checkpoint = %d", cp)
	}
	if err := w.Once(ctx); err != nil { // again: nothing twice
		t.Fatal(err)
	}
	in, err := console.DashboardInput(ctx, time.Now(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	d := records.BuildDashboard(in)
	if len(d.Lanes) != 1 {
		t.Fatalf("lanes = %+v", d.Lanes)
	}
	l := d.Lanes[0]
	if !l.Open || l.Officer != "B100" || l.Workstation != "booth-1" || l.RPM.GammaHigh != 5 || len(l.Devices) != 1 || l.Devices[0].State != "disconnected" {
		t.Fatalf("lane = %+v", l)
	}
	if len(d.Workstations) != 1 || d.Workstations[0].State != records.LinkOnline {
		t.Fatalf("workstations = %+v", d.Workstations)
	}
}

// TestReporterResendsWhatTheServerLost: a server restored from a backup
// holds less of the journal than the booth recorded as acknowledged; the
// gap answer makes the reporter resend from what the server holds.
func TestReporterResendsWhatTheServerLost(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	booth := openStore(t, "booth-1")
	appendJournal(t, booth, 4)
	if err := booth.AckJournal(ctx, 3); err != nil { // acknowledged by a server since lost
		t.Fatal(err)
	}
	srv := startServer(t, pki, ServerConfig{})
	runReporter(t, ReporterConfig{Store: booth, Client: newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))})
	// The server commits before it answers and the booth records the
	// acknowledgement after the answer: wait for both, not the first only.
	waitFor(t, 5*time.Second, "the whole journal at the server and acknowledged", func() bool {
		_, head, err := srv.store.JournalFeed(ctx, 0, 10)
		a, aerr := booth.JournalAcked(ctx)
		return err == nil && aerr == nil && head == 4 && a == 4
	})
}

// TestSupervisorReadsAndRoles: the journal feed, the port status and the
// audit log are served to supervisor certificates only; a supervisor's
// crossing events are refused while its audit chain is accepted; each
// audit-log read is audited in the server's own chain with the officer.
func TestSupervisorReadsAndRoles(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	sec := newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1"))
	sup := newClient(t, srv.url, pki.client(t, RoleSupervisor, "sup-1"))
	forbidden := func(what string, err error) {
		t.Helper()
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusForbidden || se.Body.Error != CodeForbidden {
			t.Errorf("%s: %v, want 403 forbidden", what, err)
		}
	}
	for name, c := range map[string]*Client{"primary": booth, "secondary": sec} {
		_, err := c.JournalFeed(ctx, 0, 10)
		forbidden(name+" journal feed", err)
		_, err = c.PortStatus(ctx)
		forbidden(name+" port status", err)
		_, err = c.QueryAudit(ctx, records.AuditQuery{}, "B100")
		forbidden(name+" audit log", err)
	}

	// The booth's chain goes up; the console's too, but never its events.
	bstore := openStore(t, "booth-1")
	for _, e := range []records.AuditEntry{
		records.ViewAudit("B100", "C-1", "primary"),
		records.SearchAudit("B100", records.SearchTerms{Plate: "ABC123"}, 1),
		{Officer: "B200", Action: "login", Subject: "B200"},
	} {
		if err := bstore.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	runLink(t, LinkConfig{Sender: senderCfg(bstore, booth)})
	cstore := openStore(t, "sup-1")
	if err := cstore.Audit(ctx, records.ViewAudit("S1", "C-1", "supervisor")); err != nil {
		t.Fatal(err)
	}
	// Crossing events under the console's name (from another file: the
	// console's own store never holds any) are refused.
	evs := appendCrossing(t, openStore(t, "sup-1"), 2, false)
	runLink(t, LinkConfig{Sender: senderCfg(cstore, sup)})
	waitFor(t, 5*time.Second, "both chains at the server", func() bool {
		a, _ := bstore.AuditBacklog(ctx)
		b, _ := cstore.AuditBacklog(ctx)
		return a == 0 && b == 0
	})
	_, err := sup.SendBatch(ctx, BatchRequest{Events: evs})
	forbidden("supervisor's crossing events", err)
	if n := len(originEvents(t, srv.store, "sup-1")); n != 0 {
		t.Fatalf("the server holds %d events of the supervisor console", n)
	}

	got, err := sup.QueryAudit(ctx, records.AuditQuery{Officer: "B100"}, "S1")
	if err != nil || len(got) != 2 || got[0].Action != "search" || got[1].Action != "view" {
		t.Fatalf("audit log for B100 = %+v, %v", got, err)
	}
	got, err = sup.QueryAudit(ctx, records.AuditQuery{Action: "view", Origin: "sup-1"}, "S1")
	if err != nil || len(got) != 1 || got[0].Officer != "S1" {
		t.Fatalf("console's views = %+v, %v", got, err)
	}
	reads, err := srv.store.QueryAudit(ctx, records.AuditQuery{Action: records.AuditActionAuditRead, Origin: "port-2604"})
	if err != nil || len(reads) != 2 || reads[0].Officer != "S1" || reads[1].Subject != "audit-log officer=B100" {
		t.Fatalf("server's audit of the reads = %+v, %v", reads, err)
	}
	// No officer named, or a bad query: refused, and not audited.
	var se *StatusError
	if _, err := sup.QueryAudit(ctx, records.AuditQuery{}, ""); !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Errorf("read without an officer: %v", err)
	}
	if err := sup.do(ctx, http.MethodGet, PathAuditLog, url.Values{"since": {"yesterday"}}, nil, nil); !errors.As(err, &se) ||
		se.Status != http.StatusBadRequest || !strings.Contains(se.Body.Message, "since") {
		t.Errorf("bad since: %v", err)
	}
	if reads, _ := srv.store.QueryAudit(ctx, records.AuditQuery{Action: records.AuditActionAuditRead}); len(reads) != 2 {
		t.Errorf("refused reads were audited: %d entries", len(reads))
	}
}

// FuzzParseAuditQuery: any query string gives a query or an error, never a
// panic, and a query it accepts is bounded.
func FuzzParseAuditQuery(f *testing.F) {
	for _, s := range []string{"officer=B100&action=view", "since=2026-11-25T00:00:00Z&until=2026-11-26T00:00:00Z&limit=10",
		"limit=0", "since=yesterday", "officer=%00", "origin=" + strings.Repeat("x", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseAuditQuery(v)
		if err != nil {
			return
		}
		if q.Limit < 0 || q.Limit > 1000 || len(q.Officer) > 64 || len(q.Action) > 64 || len(q.Origin) > 64 {
			t.Fatalf("accepted %+v", q)
		}
	})
}
