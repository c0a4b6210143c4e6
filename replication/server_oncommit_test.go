package replication

import (
	"context"
	"sync/atomic"
	"testing"
)

// TestOnCommitCalledAfterNewEvents: the server tells SetOnCommit's function
// after a batch that applied new events, and not after a resend of the same
// events (nothing new to publish).
func TestOnCommitCalledAfterNewEvents(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	var calls atomic.Int32
	srv.srv.SetOnCommit(func() { calls.Add(1) })

	booth := openStore(t, "booth-1")
	evs := appendCrossing(t, booth, 3, false)
	c := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1"))
	if _, err := c.SendBatch(ctx, BatchRequest{Events: evs}); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("after a new batch: %d calls, want 1", n)
	}
	if _, err := c.SendBatch(ctx, BatchRequest{Events: evs}); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("after a resend: %d calls, want still 1", n)
	}
	srv.srv.SetOnCommit(nil)
	more := appendCrossing(t, booth, 2, false)
	if _, err := c.SendBatch(ctx, BatchRequest{Events: more}); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("after SetOnCommit(nil): %d calls, want still 1", n)
	}
}
