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
