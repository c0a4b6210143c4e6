package replication

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// batchesPosted is how many event batches the server has received.
func batchesPosted(srv *testServer) int64 {
	var n int64
	srv.srv.metrics.batches.Range(func(_, v any) bool { n += v.(*atomic.Int64).Load(); return true })
	return n
}

// TestQuarantineNoticeFollowsTheFeed: through the real server, the booth's
// header (Status.HeldSeq/HeldReason, state error) shows its events held in
// quarantine; a booth restarted with nothing to send learns them from the
// feed alone; and an operator's rejection clears the notice through the
// feed, without the booth sending anything.
func TestQuarantineNoticeFollowsTheFeed(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 2, false)
	var held []records.Event
	for _, text := range []string{"first from a newer build", "second from a newer build"} {
		e, err := records.NewEvent(evs[0].CrossingID, records.Note{Text: text}, time.Now(), "B100")
		if err != nil {
			t.Fatal(err)
		}
		e.Schema = records.SchemaVersion + 1
		stored, err := booth.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, stored[0])
	}
	client := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	linkCfg := func() LinkConfig {
		pc := pullerCfg(booth, client)
		pc.Wait = 200 * time.Millisecond // the header follows within one long poll
		return LinkConfig{Sender: senderCfg(booth, client), Puller: pc}
	}
	reject := func(id string) {
		t.Helper()
		if _, err := srv.store.RejectQuarantined(ctx, sqlitestore.QuarantineDecision{ID: id, Operator: "IT-7"}); err != nil {
			t.Fatal(err)
		}
	}
	shows := func(st Status, seq int64, count int) bool {
		return st.State == StateError && st.HeldSeq == seq && st.Quarantined == count &&
			strings.Contains(st.HeldReason, "quarantined at the port server")
	}

	// 1. The acknowledgement names both held events.
	ctx1, stop1 := context.WithCancel(ctx)
	l1, err := NewLink(linkCfg())
	if err != nil {
		t.Fatal(err)
	}
	done1 := make(chan struct{})
	go func() { _ = l1.Run(ctx1); close(done1) }()
	waitFor(t, 5*time.Second, "both events held", func() bool { return backlog(t, booth) == 0 && shows(l1.Status(), 3, 2) })
	if st := l1.Status(); !strings.Contains(st.HeldReason, "(+1 more)") {
		t.Errorf("header reason %q does not count the second held event", st.HeldReason)
	}
	stop1()
	<-done1

	// 2. Restarted with nothing to send: the feed alone shows the held
	// events, and the operator's rejections clear them one by one.
	sent := batchesPosted(srv)
	l2 := runLink(t, linkCfg())
	waitFor(t, 5*time.Second, "held events from the feed", func() bool { return shows(l2.Status(), 3, 2) })
	reject(held[0].ID)
	waitFor(t, 5*time.Second, "first rejection seen", func() bool { return shows(l2.Status(), 4, 1) })
	reject(held[1].ID)
	waitFor(t, 5*time.Second, "notice cleared", func() bool {
		st := l2.Status()
		return st.State == StateOnline && st.HeldSeq == 0 && st.HeldReason == "" && st.Quarantined == 0
	})
	if n := batchesPosted(srv); n != sent {
		t.Errorf("the booth posted %d batches after its restart; the notice must clear through the feed alone", n-sent)
	}
}

// TestSupervisorSeesQuarantine: through the real server, the supervisor's
// port watcher brings each workstation's held events into the console's
// dashboard (the first held and how many), and an operator's decisions
// show there on the next fetch.
func TestSupervisorSeesQuarantine(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 2, false)
	var held []records.Event
	for i := 0; i < 2; i++ {
		e, err := records.NewEvent(evs[0].CrossingID, records.Note{Text: "from a newer build"}, time.Now(), "B100")
		if err != nil {
			t.Fatal(err)
		}
		e.Schema = records.SchemaVersion + 1
		stored, err := booth.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, stored[0])
	}
	runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	waitFor(t, 5*time.Second, "events sent", func() bool { return backlog(t, booth) == 0 })

	console := openStore(t, "sup-1")
	w, err := NewPortWatcher(PortWatcherConfig{Store: console, Client: newClient(t, srv.url, pki.client(t, RoleSupervisor, "sup-1")), Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	panel := func() records.WorkstationLink {
		t.Helper()
		if err := w.Once(ctx); err != nil {
			t.Fatal(err)
		}
		in, err := console.DashboardInput(ctx, time.Now(), time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range records.BuildDashboard(in).Workstations {
			if l.Workstation == "booth-1" {
				return l
			}
		}
		t.Fatal("booth-1 is not on the dashboard")
		return records.WorkstationLink{}
	}
	if l := panel(); l.Held != 2 || l.HeldSeq != 3 || !strings.HasPrefix(l.HeldReason, records.QuarantineSchemaTooNew) {
		t.Fatalf("panel = %+v; want 2 held from #3", l)
	}
	for i, want := range []struct {
		n   int
		seq int64
	}{{1, 4}, {0, 0}} {
		if _, err := srv.store.RejectQuarantined(ctx, sqlitestore.QuarantineDecision{ID: held[i].ID, Operator: "IT-7"}); err != nil {
			t.Fatal(err)
		}
		if l := panel(); l.Held != want.n || l.HeldSeq != want.seq {
			t.Fatalf("after %d rejection(s): panel = %+v; want %d held from #%d", i+1, l, want.n, want.seq)
		}
	}
}
