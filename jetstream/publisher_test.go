package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/portofentry/booth/jetstream"
)

// streamEvents reads the whole port stream: event ids in stream order and
// their feed versions.
func streamEvents(t *testing.T, p *testPort) (ids []string, versions []int64) {
	t.Helper()
	ctx := context.Background()
	s, err := p.node.JetStream().Stream(ctx, jetstream.PortStream(p.code))
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		v, _ := strconv.ParseInt(m.Header.Get(jetstream.FeedVersionHeader), 10, 64)
		ids = append(ids, m.Header.Get(nats.MsgIdHdr))
		versions = append(versions, v)
	}
	return ids, versions
}

// checkStream asserts the port stream holds exactly want, once each, in
// feed order.
func checkStream(t *testing.T, p *testPort, want []string) {
	t.Helper()
	waitFor(t, 10*time.Second, "stream holds every event", func() (bool, string) {
		s := p.pub.Stats()
		head, _ := p.store.FeedHead(context.Background())
		return s.Cursor == head, fmt.Sprintf("cursor %d head %d", s.Cursor, head)
	})
	ids, versions := streamEvents(t, p)
	if len(ids) != len(want) {
		t.Fatalf("stream holds %d messages, want %d", len(ids), len(want))
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("stream message %d is %s, want %s", i+1, ids[i], want[i])
		}
		if i > 0 && versions[i] != versions[i-1]+1 {
			t.Fatalf("stream message %d has feed version %d after %d", i+1, versions[i], versions[i-1])
		}
	}
}

// The publisher resumes from the cursor in its stream's last message:
// after a restart nothing is published twice, and a stream that lost its
// messages is refilled from SQLite.
func TestPublisherResumesFromItsCursor(t *testing.T) {
	pki := testPKI(t, 0, "2608")
	p := startTestPort(t, "2608", pki, nil) // no hub: a port cut off keeps publishing locally
	want := p.addCrossings(t, 30)
	checkStream(t, p, want)

	p.stop()
	want = append(want, p.addCrossings(t, 20)...) // committed while the publisher is down
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	want = append(want, p.addCrossings(t, 5)...)
	checkStream(t, p, want)

	// Power loss took the whole stream (and its duplicate window) with it.
	p.stop()
	if err := os.RemoveAll(filepath.Join(p.dir, "js")); err != nil {
		t.Fatal(err)
	}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	checkStream(t, p, want)
}
