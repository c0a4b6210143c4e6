package replication

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

func runLink(t *testing.T, cfg LinkConfig) *Link {
	t.Helper()
	l, err := NewLink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = l.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return l
}

func senderCfg(store *sqlitestore.Store, c *Client) *SenderConfig {
	return &SenderConfig{Store: store, Client: c, Logger: quietLog(), BatchSize: 50,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, HeldRetry: 50 * time.Millisecond}
}

func pullerCfg(store *sqlitestore.Store, c *Client) *PullerConfig {
	return &PullerConfig{Store: store, Client: c, Logger: quietLog(), Wait: 2 * time.Second,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
}

func backlog(t *testing.T, s *sqlitestore.Store) int {
	t.Helper()
	n, _, err := s.Backlog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSenderDrainsOutboxAndAcksAfterCommit(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	for range 30 {
		appendCrossing(t, booth, 7, false)
	}
	l := runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	waitFor(t, 5*time.Second, "backlog drained", func() bool { return backlog(t, booth) == 0 })
	assertSameLog(t, booth, srv.store, "booth-1")

	// New events wake the sender through Notify, well before its tick.
	appendCrossing(t, booth, 3, false)
	start := time.Now()
	l.Notify()
	waitFor(t, 5*time.Second, "new events sent", func() bool { return backlog(t, booth) == 0 && l.Status().Backlog == 0 })
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("notified events took %s to go up", d)
	}
	st := l.Status()
	if st.State != StateOnline || st.Backlog != 0 || st.LastOK.IsZero() {
		t.Errorf("status = %+v", st)
	}
	ws, err := srv.store.Workstations(context.Background())
	if err != nil || len(ws) != 1 || ws[0].HighWater != 213 || ws[0].Role != RolePrimary {
		t.Fatalf("server status = %+v, %v", ws, err)
	}
}

func TestRolesAndCertificates(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	ctx := context.Background()
	booth := openStore(t, "sup-1")
	evs := appendCrossing(t, booth, 2, false)

	sup := newClient(t, srv.url, pki.client(t, RoleSupervisor, "sup-1"))
	_, err := sup.SendBatch(ctx, BatchRequest{Events: evs})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 403 || se.Body.Error != CodeForbidden {
		t.Fatalf("supervisor write: err = %v, want 403 forbidden", err)
	}
	if _, err := sup.Feed(ctx, 0, 0, 10); err != nil {
		t.Fatalf("supervisor read: %v", err)
	}
	// A booth may not send another workstation's events.
	other := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-9"))
	if _, err := other.SendBatch(ctx, BatchRequest{Events: evs}); !errors.As(err, &se) || se.Body.Error != CodeForeignOrigin {
		t.Fatalf("foreign events: err = %v", err)
	}
	// A certificate from another CA never gets past TLS.
	stranger := newTestPKI(t)
	bad := newClient(t, srv.url, stranger.client(t, RolePrimary, "booth-1"))
	if _, err := bad.Feed(ctx, 0, 0, 10); err == nil || errors.As(err, &se) {
		t.Fatalf("foreign CA: err = %v, want a TLS failure", err)
	}
	if n, _ := srv.store.FeedHead(ctx); n != 0 {
		t.Fatalf("server stored %d events from refused writers", n)
	}
	// Metrics and health are served to any verified workstation.
	body, err := sup.Get(ctx, PathMetrics)
	if err != nil || !strings.Contains(string(body), `portserver_ingest_batches_total{result="forbidden"} 1`) {
		t.Fatalf("metrics: %v\n%s", err, body)
	}
	if body, err := sup.Get(ctx, PathHealth); err != nil || string(body) != "ok\n" {
		t.Fatalf("healthz = %q, %v", body, err)
	}
}

// TestNewerSchemaQuarantined: an event of a newer schema than the server
// reads is acknowledged and stored in quarantine at the port, so the booth's
// queue drains past it; the booth's header shows it held until an operator
// decides, and the events after it flow.
func TestNewerSchemaQuarantined(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 3, false)
	future, err := records.NewEvent(evs[0].CrossingID, records.Note{Text: "from a newer build"}, time.Now(), "B100")
	if err != nil {
		t.Fatal(err)
	}
	future.Schema = records.SchemaVersion + 1
	stored, err := booth.Append(context.Background(), future)
	if err != nil {
		t.Fatal(err)
	}
	appendCrossing(t, booth, 2, false)
	l := runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	waitFor(t, 5*time.Second, "event held", func() bool { return l.Status().HeldSeq == 4 && backlog(t, booth) == 0 })
	st := l.Status()
	if st.State != StateError || !strings.Contains(st.HeldReason, records.QuarantineSchemaTooNew) || !strings.Contains(st.HeldReason, "quarantined") {
		t.Errorf("status = %+v", st)
	}
	if got := originEvents(t, srv.store, "booth-1"); len(got) != 5 {
		t.Fatalf("server applied %d events, want the 5 around the quarantined one", len(got))
	}
	// The operator rejects it (it cannot be released before an upgrade);
	// the next acknowledgement clears the header.
	if _, err := srv.store.ReleaseQuarantined(context.Background(), sqlitestore.QuarantineDecision{ID: stored[0].ID, Operator: "IT-7"}); !errors.Is(err, sqlitestore.ErrCannotRelease) {
		t.Fatalf("release of a newer schema: %v", err)
	}
	if _, err := srv.store.RejectQuarantined(context.Background(), sqlitestore.QuarantineDecision{ID: stored[0].ID, Operator: "IT-7"}); err != nil {
		t.Fatal(err)
	}
	appendCrossing(t, booth, 1, false)
	l.Notify()
	waitFor(t, 5*time.Second, "held cleared", func() bool { st := l.Status(); return st.HeldSeq == 0 && st.State == StateOnline })
}

// A referral reaches a secondary that is long-polling the feed because the
// server's commit wakes the poll: the poll waits a minute, far longer than
// the test waits, so only the wake-up can deliver the referral in time.
func TestSecondarySeesReferralThroughServer(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	sec := openStore(t, "sec-1")
	var applied atomic.Int64
	pc := pullerCfg(sec, newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1")))
	pc.Wait = MaxFeedWait
	pc.OnApplied = func(evs []records.Event, _ int64) { applied.Add(int64(len(evs))) }
	secLink := runLink(t, LinkConfig{Puller: pc})
	boothLink := runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	waitFor(t, 10*time.Second, "the secondary's first feed request", func() bool { return srv.srv.metrics.feedRequests.Load() >= 1 })

	evs := appendCrossing(t, booth, 4, true)
	boothLink.Notify()
	// The store commits the batch before the puller calls OnApplied and
	// records the version, so wait for all three rather than the first.
	waitFor(t, 20*time.Second, "referral applied on the secondary", func() bool {
		ref, err := sec.Referred(context.Background())
		return err == nil && len(ref) == 1 && ref[0].ID == evs[0].CrossingID &&
			applied.Load() == 4 && secLink.Status().FeedVersion == 4
	})
	// The replicated events are not the secondary's to send.
	if n := backlog(t, sec); n != 0 {
		t.Errorf("secondary backlog = %d", n)
	}
}

func TestSnapshotWhenFeedCompactedAndReferenceDown(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{FeedRetain: 2, CompactEvery: 20 * time.Millisecond})
	booth := openStore(t, "booth-1")
	closed := appendCrossing(t, booth, 3, false)
	det, _ := records.NewEvent(closed[0].CrossingID, records.Determination{Outcome: records.OutcomeAdmitted}, time.Now(), "B100")
	end, _ := records.NewEvent(closed[0].CrossingID, records.CrossingClosed{}, time.Now().Add(time.Millisecond), "B100")
	if _, err := booth.Append(ctx, det, end); err != nil {
		t.Fatal(err)
	}
	open := appendCrossing(t, booth, 4, true)
	evs := originEvents(t, booth, "booth-1")
	if _, err := srv.store.Ingest(ctx, records.IngestBatch{Origin: "booth-1", Role: RolePrimary, Events: evs}); err != nil {
		t.Fatal(err)
	}
	lost := `{"id":"LS1","document":{"type":"P","country":"UTO","number":"L898902C3"},"reported_at":"2025-01-02","reason":"lost"}` + "\n"
	asOf := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	if _, err := srv.store.PublishReference(ctx, sqlitestore.KindLostStolen, []byte(lost), 7, asOf); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "compaction", func() bool { f, _ := srv.store.FeedFloor(ctx); return f == 7 })

	sec := openStore(t, "sec-1")
	l := runLink(t, LinkConfig{Puller: pullerCfg(sec, newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1")))})
	waitFor(t, 5*time.Second, "snapshot applied", func() bool {
		cp, _ := sec.FeedCheckpoint(ctx)
		return cp.Version == 9 && !cp.SnapshotAt.IsZero()
	})
	if got := originEvents(t, sec, "booth-1"); len(got) != len(open) {
		t.Fatalf("snapshot brought %d events, want the %d of the open crossing", len(got), len(open))
	}
	waitFor(t, 5*time.Second, "reference loaded", func() bool {
		ds, _ := sec.ReferenceStatus(ctx)
		for _, d := range ds {
			if d.Kind == sqlitestore.KindLostStolen {
				return d.Version == 7 && d.AsOf.Equal(asOf)
			}
		}
		return false
	})
	// After the snapshot the feed continues as deltas.
	more := appendCrossing(t, booth, 2, false)
	if _, err := srv.store.Ingest(ctx, records.IngestBatch{Origin: "booth-1", Events: more}); err != nil {
		t.Fatal(err)
	}
	srv.srv.news.Notify()
	waitFor(t, 5*time.Second, "delta after snapshot", func() bool { return l.Status().FeedVersion == 11 })
}

func TestAuditChainReplicatesVerified(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	for i := range 7 {
		if err := booth.Audit(ctx, records.AuditEntry{Officer: "B100", Action: sqlitestore.ActionView,
			Subject: fmt.Sprintf("crossing-%d", i), Detail: sqlitestore.AuditDetail(map[string]any{"why": "<secondary & review>"})}); err != nil {
			t.Fatal(err)
		}
	}
	appendCrossing(t, booth, 2, false)
	runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	waitFor(t, 5*time.Second, "audit chain acknowledged", func() bool {
		n, err := booth.AuditBacklog(ctx)
		return err == nil && n == 0
	})
	rep, err := srv.store.VerifyAudit(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("server's copy: %+v, %v", rep, err)
	}
	found := false
	for _, c := range rep.Chains {
		if c.Origin == "booth-1" {
			found = c.Entries == 7
		}
	}
	if !found {
		t.Fatalf("server chains = %+v, want booth-1 with 7 entries", rep.Chains)
	}

	// An entry that does not extend the chain (tampered) is refused.
	entries, err := booth.AuditOutbox(ctx, 6, 10)
	if err != nil || len(entries) != 1 {
		t.Fatal(entries, err)
	}
	forged := entries[0]
	forged.Seq, forged.ID, forged.PrevHash = 8, records.NewID(), forged.Hash
	forged.Subject = "forged"
	c := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	_, err = c.SendAudit(ctx, AuditRequest{Entries: []records.AuditEntry{forged}})
	var se *StatusError
	if !errors.As(err, &se) || se.Body.Error != CodeInvalidAudit || se.Body.Acked == nil || *se.Body.Acked != 7 {
		t.Fatalf("forged entry: err = %v", err)
	}
}

func TestServerRestoredFromOlderBackupIsRefilled(t *testing.T) {
	pki := newTestPKI(t)
	first := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	for range 4 {
		appendCrossing(t, booth, 5, false)
	}
	conf := pki.client(t, RolePrimary, "booth-1")
	ctx, cancel := context.WithCancel(context.Background())
	l, err := NewLink(LinkConfig{Sender: senderCfg(booth, newClient(t, first.url, conf))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = l.Run(ctx); close(done) }()
	waitFor(t, 5*time.Second, "first drain", func() bool { return backlog(t, booth) == 0 })
	cancel()
	<-done

	// The port server comes back empty (a lost disk, an old backup): the
	// booth's next batch meets a gap below its ack and it resends from its
	// own log.
	empty := startServer(t, pki, ServerConfig{})
	runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, empty.url, conf))})
	appendCrossing(t, booth, 5, false)
	waitFor(t, 5*time.Second, "server refilled", func() bool {
		ws, _ := empty.store.Workstations(context.Background())
		return len(ws) == 1 && ws[0].HighWater == 25
	})
	assertSameLog(t, booth, empty.store, "booth-1")
}

func TestWorkstationAheadOfRestoredServerResyncs(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	sec := openStore(t, "sec-1")
	// The secondary applied a feed up to version 50 from a server that was
	// since restored to an empty state.
	if _, err := sec.ApplyFeed(ctx, records.FeedApply{Version: 50}); err != nil {
		t.Fatal(err)
	}
	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 4, true)
	if _, err := srv.store.Ingest(ctx, records.IngestBatch{Origin: "booth-1", Events: evs}); err != nil {
		t.Fatal(err)
	}
	runLink(t, LinkConfig{Puller: pullerCfg(sec, newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1")))})
	waitFor(t, 5*time.Second, "resync by snapshot", func() bool {
		cp, _ := sec.FeedCheckpoint(ctx)
		return cp.Version == 4 && !cp.SnapshotAt.IsZero()
	})
	if got := originEvents(t, sec, "booth-1"); len(got) != 4 {
		t.Fatalf("secondary holds %d events after resync, want 4", len(got))
	}
}
