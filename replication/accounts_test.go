package replication

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

var (
	_ AccountServerStore = (*sqlitestore.Store)(nil)
	_ AccountCacheStore  = (*sqlitestore.Store)(nil)
)

// runPuller pulls the feed (and the accounts) into st until the test ends.
func runPuller(t *testing.T, st *sqlitestore.Store, c *Client) {
	t.Helper()
	p, err := NewPuller(PullerConfig{Store: st, Client: c, Logger: quietLog(), Wait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestAccountsDownTheLinkOverMTLS: port accounts and the pepper reach two
// booths over mutual TLS; each signs in with them; failures at both booths
// add up at the server, which locks the account port-wide and the lock
// comes down; the server refuses events whose officer is a supervisor's
// account, whatever the workstation's certificate.
func TestAccountsDownTheLinkOverMTLS(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	for _, o := range []sqlitestore.NewOfficer{
		{Badge: "P1", Name: "Port One", Roles: "primary,secondary", PIN: []byte("480913")},
		{Badge: "S1", Name: "Port Sup", Roles: "supervisor", PIN: []byte("739102")},
	} {
		if err := srv.store.AddPortAccount(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	boothA, boothB := openStore(t, "booth-a"), openStore(t, "booth-b")
	clientA := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-a"))
	clientB := newClient(t, srv.url, pki.client(t, RolePrimary, "booth-b"))
	runPuller(t, boothA, clientA)
	runPuller(t, boothB, clientB)
	for _, b := range []*sqlitestore.Store{boothA, boothB} {
		waitFor(t, 10*time.Second, "accounts at "+b.Origin(), func() bool {
			v, err := b.AccountVersion(ctx)
			return err == nil && v >= 2
		})
	}
	sess, err := boothA.SignIn(ctx, sqlitestore.SignInRequest{Badge: "P1", PIN: []byte("480913"), Kind: records.WorkstationPrimary})
	if err != nil || sess.Source != sqlitestore.SourcePort || sess.ReadOnly() {
		t.Fatalf("port account at booth A: %+v %v", sess, err)
	}
	if c, err := boothA.AccountCache(ctx); err != nil || time.Since(c.HeardAt) > time.Minute {
		t.Errorf("account cache not renewed: %+v %v", c, err)
	}

	// Layer four: an event under the supervisor's badge is refused, from a
	// primary certificate; the officer's and the system's are taken.
	ev := func(officer string) records.Event {
		e, err := records.NewEvent(records.NewID(), records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "manual"}, time.Now(), officer)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	sup, err := boothA.Append(ctx, ev("S1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientA.SendBatch(ctx, BatchRequest{Events: sup})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden || se.Body.Error != CodeForbidden {
		t.Fatalf("supervisor's event: %v, want 403 forbidden", err)
	}
	if n, _ := srv.store.Events(ctx, sup[0].CrossingID); len(n) != 0 {
		t.Errorf("the server stored the supervisor's event")
	}

	// Port-wide lockout: 3 wrong PINs at A and 2 at B, each booth below the
	// local limit, reach the server with the audit chains.
	for i := 0; i < 3; i++ {
		boothA.Authenticate(ctx, "P1", []byte("000001"), time.Now())
	}
	for i := 0; i < 2; i++ {
		boothB.Authenticate(ctx, "P1", []byte("000001"), time.Now())
	}
	for _, x := range []struct {
		st *sqlitestore.Store
		c  *Client
	}{{boothA, clientA}, {boothB, clientB}} {
		entries, err := x.st.AuditOutbox(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // a resend counts once
			if _, err := x.c.SendAudit(ctx, AuditRequest{Entries: entries}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor(t, 10*time.Second, "the port-wide lock at booth B", func() bool {
		_, err := boothB.Authenticate(ctx, "P1", []byte("480913"), time.Now())
		return errors.Is(err, sqlitestore.ErrLockedOut)
	})
	list, _ := srv.store.ListPortAccounts(ctx)
	if len(list) != 2 || list[0].LockedUntil.Before(time.Now()) {
		t.Errorf("server's P1: %+v", list)
	}

	// A disable travels down too.
	if err := srv.store.DisablePortAccount(ctx, "S1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the disable at booth A", func() bool {
		_, err := boothA.Authenticate(ctx, "S1", []byte("739102"), time.Now())
		return errors.Is(err, sqlitestore.ErrDisabled)
	})
}
