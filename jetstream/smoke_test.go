package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
)

func TestPortEventsReachTheHubIndex(t *testing.T) {
	pki := testPKI(t, 3, "2608")
	hub := startTestHub(t, pki, 3)
	port := startTestPort(t, "2608", pki, hub.leafURLs())
	ids := port.addCrossings(t, 25)
	ctx := context.Background()
	waitFor(t, 30*time.Second, "every event indexed on every node", func() (bool, string) {
		for _, n := range hub.nodes {
			got, err := n.store.NationalEventIDs(ctx, "2608")
			if err != nil {
				return false, err.Error()
			}
			if len(got) != len(ids) {
				return false, fmt.Sprintf("%s holds %d of %d", n.cfg.Name, len(got), len(ids))
			}
		}
		return true, ""
	})
	st, err := jetstream.QueryStatus(ctx, hub.nodes[1].node.Conn())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
}
