package replication

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestLinkShowsCertificateRefusal: through a real server, a workstation
// whose certificate the server refuses at the handshake (the same alert a
// revoked one gets) and one that cannot verify the server's certificate
// show the link in error, saying so; a server that is not there leaves it
// offline.
func TestLinkShowsCertificateRefusal(t *testing.T) {
	port := newTestPKI(t)
	other := newTestPKI(t) // another port's CA
	srv := startServer(t, port, ServerConfig{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String()
	ln.Close()

	ownCA := port.client(t, RolePrimary, "booth-1")
	foreign := other.client(t, RolePrimary, "booth-1").Clone()
	foreign.RootCAs = ownCA.RootCAs // it trusts the server; the server does not trust it
	distrust := ownCA.Clone()
	distrust.RootCAs = other.client(t, RolePrimary, "booth-2").RootCAs
	tests := []struct {
		name  string
		url   string
		conf  *tls.Config
		state State
		want  string
	}{
		{"certificate from another CA", srv.url, foreign, StateError, "certificate refused by the port server"},
		{"server certificate not trusted", srv.url, distrust, StateError, "server certificate not trusted"},
		{"no server listening", closed, ownCA, StateOffline, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			booth := openStore(t, "booth-1")
			appendCrossing(t, booth, 1, false)
			c := newClient(t, tc.url, tc.conf)
			l := runLink(t, LinkConfig{Sender: senderCfg(booth, c), Puller: pullerCfg(booth, c)})
			waitFor(t, 5*time.Second, "a failed exchange", func() bool { return l.Status().LastError != "" })
			st := l.Status()
			if st.State != tc.state || !strings.Contains(st.LastError, tc.want) {
				t.Fatalf("status = %s %q; want %s with %q", st.State, st.LastError, tc.state, tc.want)
			}
			if backlog(t, booth) != 1 {
				t.Fatal("the event left the queue")
			}
		})
	}
}

// TestErrorKeepsItsWords: while one half is in error, the other half's
// "offline" does not replace the words the header shows.
func TestErrorKeepsItsWords(t *testing.T) {
	b := newStatusBoard()
	b.activate(true)
	b.activate(false)
	b.report(false, StateError, errors.New("certificate refused by the port server (revoked?)"))
	b.report(true, StateOffline, errors.New("POST /v1/events: use of closed network connection"))
	if st := b.Snapshot(); st.State != StateError || st.LastError != "certificate refused by the port server (revoked?)" {
		t.Fatalf("status = %s %q", st.State, st.LastError)
	}
	b.report(false, StateOnline, nil) // the error half recovers: offline words show again
	b.report(true, StateOffline, errors.New("connection refused"))
	if st := b.Snapshot(); st.State != StateOffline || st.LastError != "connection refused" {
		t.Fatalf("status = %s %q", st.State, st.LastError)
	}
}
