package replication

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// testPKI is a CA with a server certificate in a temporary directory.
type testPKI struct{ dir string }

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	dir := t.TempDir()
	if err := InitCA(dir, "2604"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Issue(dir, IssueRequest{Role: RoleServer}); err != nil {
		t.Fatal(err)
	}
	return testPKI{dir}
}

func (p testPKI) client(t testing.TB, role, ws string) *tls.Config {
	t.Helper()
	crt, key := filepath.Join(p.dir, ws+".crt"), filepath.Join(p.dir, ws+".key")
	if _, err := os.Stat(crt); err != nil {
		if _, _, err := Issue(p.dir, IssueRequest{Role: role, Workstation: ws}); err != nil {
			t.Fatal(err)
		}
	}
	conf, err := ClientTLSConfig(filepath.Join(p.dir, CACertFile), crt, key)
	if err != nil {
		t.Fatal(err)
	}
	return conf
}

// testServer is a port server on a real TLS listener on loopback.
type testServer struct {
	srv   *Server
	store *sqlitestore.Store
	addr  string
	url   string
}

func quietLog() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

func startServer(t testing.TB, pki testPKI, cfg ServerConfig) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := openStore(t, "port-2604")
	cfg.Store = st
	cfg.Logger = quietLog()
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tlsConf, err := ServerTLSConfig(filepath.Join(pki.dir, CACertFile), filepath.Join(pki.dir, ServerCertFile), filepath.Join(pki.dir, ServerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), TLSConfig: tlsConf, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(quietLog().Handler(), slog.LevelDebug)}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := hs.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	wg.Go(func() { _ = srv.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		_ = hs.Shutdown(sctx)
		_ = hs.Close()
		wg.Wait()
	})
	addr := ln.Addr().String()
	return &testServer{srv: srv, store: st, addr: addr, url: "https://" + addr}
}

func openStore(t testing.TB, origin string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), origin+".db"),
		sqlitestore.Options{Origin: origin, Logger: quietLog()})
	if err != nil {
		t.Fatalf("open %s: %v", origin, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newClient(t testing.TB, url string, conf *tls.Config) *Client {
	t.Helper()
	c, err := NewClient(url, conf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// appendCrossing appends one crossing of n events (opened, notes, and a
// referral when referred) and returns them as stored.
func appendCrossing(t testing.TB, s *sqlitestore.Store, n int, referred bool) []records.Event {
	t.Helper()
	id := records.NewID()
	at := time.Now().UTC()
	evs := make([]records.Event, 0, n)
	for i := 0; i < n; i++ {
		var p records.Payload = records.Note{Text: "note"}
		switch {
		case i == 0:
			p = records.CrossingOpened{Port: "2604", Lane: "L1", Mode: records.ModeVehicle, Trigger: "manual"}
		case i == n-1 && referred:
			p = records.Referred{Reasons: []string{records.ReasonDocument}}
		}
		e, err := records.NewEvent(id, p, at.Add(time.Duration(i)*time.Millisecond), "B100")
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	out, err := s.Append(context.Background(), evs...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return out
}

// waitFor polls cond every 10 ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// originEvents reads every event of origin held by s, in origin_seq order.
func originEvents(t testing.TB, s *sqlitestore.Store, origin string) []records.Event {
	t.Helper()
	var all []records.Event
	after := int64(0)
	for {
		evs, err := s.OriginEvents(context.Background(), origin, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return all
		}
		all = append(all, evs...)
		after = evs[len(evs)-1].OriginSeq
	}
}

// assertSameLog checks that server holds exactly booth's events of origin:
// same ids at the same sequence numbers, 1..n without a gap.
func assertSameLog(t testing.TB, booth, server *sqlitestore.Store, origin string) {
	t.Helper()
	want, got := originEvents(t, booth, origin), originEvents(t, server, origin)
	if len(got) != len(want) {
		t.Fatalf("server holds %d events of %s, booth committed %d", len(got), origin, len(want))
	}
	seen := map[string]bool{}
	for i := range want {
		if got[i].OriginSeq != int64(i+1) || got[i].ID != want[i].ID {
			t.Fatalf("event %d: server has %s #%d, booth %s #%d", i, got[i].ID, got[i].OriginSeq, want[i].ID, want[i].OriginSeq)
		}
		if seen[got[i].ID] {
			t.Fatalf("event %s twice", got[i].ID)
		}
		seen[got[i].ID] = true
	}
}
