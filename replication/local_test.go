package replication

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestLocalServerForDemo(t *testing.T) {
	ctx := context.Background()
	local, err := StartLocal(ctx, openStore(t, "port-demo"), filepath.Join(t.TempDir(), "pki"), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	booth := openStore(t, "booth-1")
	c, err := local.Client(RolePrimary, "booth-1")
	if err != nil {
		t.Fatal(err)
	}
	l := runLink(t, LinkConfig{Sender: senderCfg(booth, c)})
	appendCrossing(t, booth, 3, true)
	l.Notify()
	waitFor(t, 5*time.Second, "sent to the local server", func() bool { return l.Status().State == StateOnline && backlog(t, booth) == 0 })
}
