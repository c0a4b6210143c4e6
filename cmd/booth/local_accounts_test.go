package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// Accounts through the real link: the port server is its own process
// (`portserver serve`, startPortRig), port accounts are made with
// `portserver officer add`, local accounts with `booth officer add`, and
// each workstation runs the outbox sender and feed puller over mutual TLS
// as cmd/booth wires them (newLink).

// portOfficerAdd runs `portserver officer add` (the real binary) against
// the running server's database, the PIN on stdin.
func portOfficerAdd(t *testing.T, r *portRig, badge, roles, pin string) {
	t.Helper()
	cmd := exec.Command(buildPortserver(t), "officer", "add", "--badge", badge, "--name", "Port "+badge, "--role", roles,
		"--db", filepath.Join(r.dir, "server.db"))
	cmd.Stdin = strings.NewReader(pin + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("portserver officer add %s: %v\n%s", badge, err, out)
	}
}

// boothOfficerAdd runs `booth officer add` for the workstation ws whose
// database is db (a configuration naming both), the PIN on stdin; extra
// flags go after the required ones (--break-glass).
func boothOfficerAdd(t *testing.T, db, ws, badge, roles, pin string, extra ...string) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), ws+".toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "workstation = %q\ndatabase = %q\n", ws, db), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"officer", "add", "--badge", badge, "--name", "Local " + badge, "--role", roles, "--config", cfg}, extra...)
	if code, out, errs := runMaint(t, pin+"\n", args...); code != 0 {
		t.Fatalf("booth %s: exit %d, %s %s", strings.Join(args, " "), code, out, errs)
	}
}

// hasOfficer reports whether badge is among the store's accounts, and from
// which source.
func hasOfficer(t *testing.T, st *sqlitestore.Store, badge string) (found bool, source string) {
	t.Helper()
	offs, err := st.ListOfficers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offs {
		if o.Badge == badge {
			return true, o.Source
		}
	}
	return false, ""
}

// stationClient is a client with the certificate r.station issued to ws.
func stationClient(t *testing.T, r *portRig, ws string) *replication.Client {
	t.Helper()
	tlsConf, err := replication.ClientTLSConfig(filepath.Join(r.pki, replication.CACertFile),
		filepath.Join(r.pki, ws+".crt"), filepath.Join(r.pki, ws+".key"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := replication.NewClient(r.url, tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func accountsTestLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serverAudit is the server's copy of every workstation's audit chain.
func serverAudit(t *testing.T, r *portRig) []records.AuditEntry {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(r.dir, "server.db"), sqlitestore.Options{ReadOnly: true, Logger: accountsTestLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.RecentAudit(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestLocalAccountsNeverGoUp: accounts made with `booth officer add` at a
// workstation (an ordinary one and a break-glass one) stay there. The
// workstation's link runs and its audit chain, which records the accounts'
// creation and a sign-in with one of them, reaches the port server, yet the
// server holds no such account (`portserver officer list`, its database),
// no workstation's `GET /v1/accounts` answer carries it (the creating one's
// included), another workstation never caches it and refuses its PIN, while
// a port account made at the server reaches both.
func TestLocalAccountsNeverGoUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := startPortRig(t)
	portOfficerAdd(t, r, "P100", "primary", "480913")

	dbA := filepath.Join(r.dir, "WS-A.db")
	boothOfficerAdd(t, dbA, "WS-A", "L700", "primary,secondary", "552901")
	boothOfficerAdd(t, dbA, "WS-A", "G700", "primary", "739102", "--break-glass")
	a := r.station(t, ctx, "primary", "WS-A")
	b := r.station(t, ctx, "primary", "WS-B")

	for _, s := range []*station{a, b} {
		waitFor(t, s.id+" receives port account P100", 30*time.Second, func() bool {
			found, src := hasOfficer(t, s.store, "P100")
			return found && src == sqlitestore.SourcePort
		})
	}
	// The local account works at its workstation, and its sign-in goes up
	// with the audit chain.
	policy := newSignInPolicy(Config{Role: "primary"})
	if o, err := policy.signIn(ctx, a.store, "L700", []byte("552901"), time.Now()); err != nil || o.Badge != "L700" || o.ReadOnly {
		t.Fatalf("local account at its workstation: %+v %v", o, err)
	}
	a.link.Notify()
	waitFor(t, "WS-A's audit chain (sign-in of L700) at the server", 30*time.Second, func() bool {
		return slices.ContainsFunc(serverAudit(t, r), func(e records.AuditEntry) bool {
			return e.Origin == "WS-A" && e.Action == sqlitestore.ActionLogin && e.Officer == "L700"
		})
	})
	up := serverAudit(t, r)
	if !slices.ContainsFunc(up, func(e records.AuditEntry) bool {
		return e.Origin == "WS-A" && e.Action == "officer_add" && e.Subject == "G700"
	}) {
		t.Error("the creation of G700 did not reach the server with the audit chain: the test proves less than it claims")
	}

	// The server: neither account, by its own command and in its database.
	out, err := exec.Command(buildPortserver(t), "officer", "list", "--json", "--db", filepath.Join(r.dir, "server.db")).Output()
	if err != nil {
		t.Fatalf("portserver officer list: %v", err)
	}
	var listed []struct{ Badge string }
	if err := json.Unmarshal(out, &listed); err != nil {
		t.Fatalf("officer list --json: %v\n%s", err, out)
	}
	var badges []string
	for _, o := range listed {
		badges = append(badges, o.Badge)
	}
	if !slices.Contains(badges, "P100") || slices.Contains(badges, "L700") || slices.Contains(badges, "G700") {
		t.Errorf("port accounts at the server: %v; want P100 and no local account", badges)
	}
	srv, err := sqlitestore.Open(ctx, filepath.Join(r.dir, "server.db"), sqlitestore.Options{ReadOnly: true, Logger: accountsTestLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, badge := range []string{"L700", "G700"} {
		if found, src := hasOfficer(t, srv, badge); found {
			t.Errorf("the server's database holds %s (%s)", badge, src)
		}
		if known, _, err := srv.OfficerWrites(ctx, badge); err != nil || known {
			t.Errorf("the server knows %s as an account: %v %v", badge, known, err)
		}
	}

	// Every workstation's /v1/accounts answer, from the first version on.
	for _, ws := range []string{"WS-A", "WS-B"} {
		resp, err := stationClient(t, r, ws).Accounts(ctx, 0)
		if err != nil {
			t.Fatalf("GET /v1/accounts as %s: %v", ws, err)
		}
		var got []string
		for _, acct := range resp.Accounts {
			got = append(got, acct.Badge)
		}
		if !slices.Contains(got, "P100") || slices.Contains(got, "L700") || slices.Contains(got, "G700") {
			t.Errorf("/v1/accounts as %s: %v; want P100 and no local account", ws, got)
		}
	}

	// The other workstation: never cached, and the PIN does not sign in.
	for _, badge := range []string{"L700", "G700"} {
		if found, src := hasOfficer(t, b.store, badge); found {
			t.Errorf("WS-B holds %s (%s)", badge, src)
		}
	}
	if _, err := policy.signIn(ctx, b.store, "L700", []byte("552901"), time.Now()); err == nil {
		t.Error("WS-A's local account signed in at WS-B")
	}
	if _, err := policy.signIn(ctx, b.store, "P100", []byte("480913"), time.Now()); err != nil {
		t.Errorf("the port account at WS-B: %v", err)
	}
	// And the workstation that made them still has them, as local.
	for _, badge := range []string{"L700", "G700"} {
		if found, src := hasOfficer(t, a.store, badge); !found || src != sqlitestore.SourceLocal {
			t.Errorf("WS-A lost its local account %s: %v %q", badge, found, src)
		}
	}
}
