package replication

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

// TestLinkStateFromBothHalves: the link's state merges what the sender and
// the puller last saw; a half that has not had an exchange yet says nothing.
func TestLinkStateFromBothHalves(t *testing.T) {
	down := errors.New("connection refused")
	type rep struct {
		up    bool
		state State
	}
	tests := []struct {
		name    string
		up, dn  bool // halves that run
		reports []rep
		want    State
	}{
		{"nothing heard yet", true, true, nil, StateOffline},
		{"feed works, sender had nothing to send", true, true, []rep{{false, StateOnline}}, StateOnline},
		{"sender works, feed not asked yet", true, true, []rep{{true, StateOnline}}, StateOnline},
		{"feed works, sender cannot reach the server", true, true, []rep{{false, StateOnline}, {true, StateOffline}}, StateOffline},
		{"sender refused, feed works", true, true, []rep{{true, StateError}, {false, StateOnline}}, StateError},
		{"both work", true, true, []rep{{true, StateOnline}, {false, StateOnline}}, StateOnline},
		{"feed lost after working", true, true, []rep{{false, StateOnline}, {false, StateOffline}}, StateOffline},
		{"sender only, offline", true, false, []rep{{true, StateOffline}}, StateOffline},
		{"puller only, online", false, true, []rep{{false, StateOnline}}, StateOnline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newStatusBoard()
			if tt.up {
				b.activate(true)
			}
			if tt.dn {
				b.activate(false)
			}
			for _, r := range tt.reports {
				var err error
				if r.state != StateOnline {
					err = down
				}
				b.report(r.up, r.state, err)
			}
			if got := b.Snapshot().State; got != tt.want {
				t.Errorf("state %q, want %q", got, tt.want)
			}
		})
	}
}

// TestIdleSenderLinkOnlineWithFeed: a secondary workstation whose outbox is
// empty (its sender has never sent) shows its link online as soon as the
// feed answers, through a real port server.
func TestIdleSenderLinkOnlineWithFeed(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	sec := openStore(t, "sec-1")
	c := newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1"))
	l := runLink(t, LinkConfig{Sender: senderCfg(sec, c), Puller: pullerCfg(sec, c)})
	waitFor(t, 10*time.Second, "the link online from the feed alone", func() bool { return l.Status().State == StateOnline })
	if n := backlog(t, sec); n != 0 {
		t.Fatalf("backlog %d: the sender had something to send", n)
	}
}

// TestQuietPortFirstFeedAnswersAtOnce: on a port where nothing happens the
// feed's long poll answers only when it times out, so a workstation's first
// request does not wait: the reference data the port published and the
// link's state arrive at once, not after the long poll.
func TestQuietPortFirstFeedAnswersAtOnce(t *testing.T) {
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	body := "{\"id\":\"LS1\",\"document\":{\"type\":\"P\",\"country\":\"UTO\",\"number\":\"L898902C3\"},\"reported_at\":\"2025-01-02\",\"reason\":\"lost\"}\n"
	if _, err := srv.store.PublishReference(context.Background(), sqlitestore.KindLostStolen, []byte(body), 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	sec := openStore(t, "sec-1")
	pc := pullerCfg(sec, newClient(t, srv.url, pki.client(t, RoleSecondary, "sec-1")))
	pc.Wait = MaxFeedWait
	l := runLink(t, LinkConfig{Puller: pc})
	// Well inside the long poll (25 s): the first answer did not wait.
	waitFor(t, 10*time.Second, "the reference data and the link online", func() bool {
		v, err := sec.ReferenceVersions(context.Background())
		return err == nil && v[string(sqlitestore.KindLostStolen)] == 1 && l.Status().State == StateOnline
	})
}
