package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// TestTUIEndToEnd builds booth, runs `booth --demo` in tmux against the
// in-process device simulator, signs in with the demo officer shown on the
// login screen, admits the SENTRI car the simulator sends, quits, and finds
// the crossing and its events in the SQLite database.
func TestTUIEndToEnd(t *testing.T) {
	s, demoDir := startDemoTmux(t, t.TempDir(), "booth-e2e", "clean-sentri", 120, 40)

	scr := s.WaitFor(15*time.Second, "SIGN IN", "badge "+demoBadge, "PIN "+demoPIN)
	if !strings.Contains(scr, "LINK ") {
		t.Errorf("header lacks the link state:\n%s", scr)
	}
	s.Keys(demoBadge, "Enter")
	s.Keys(demoPIN, "Enter")
	s.WaitFor(10*time.Second, "Lane idle")
	// The simulator's clean-sentri scenario: two SENTRI cards, clean portal,
	// plate US-CA/7ABC123.
	s.WaitFor(30*time.Second, "GARCIA, MARIA ELENA", "GARCIA LOPEZ, DIEGO ANDRES", "7ABC123", "✔ CLEAR", "admit with a")
	s.Keys("a")
	s.WaitFor(10*time.Second, "saved: admitted 7ABC123")
	// The demo's in-process port server has taken the whole outbox.
	s.WaitFor(10*time.Second, "LINK online │") // no "· N unsent" backlog
	s.Keys("C-c")
	s.WaitFor(10*time.Second, "BOOTH-EXITED 0")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "booth.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.HistoryByPlate(ctx, "US-CA", "7ABC123", 10)
	if err != nil {
		t.Fatal(err)
	}
	// The demo seeds past crossings from the port's other booths; this
	// booth's own crossing is the one the officer just admitted.
	var hs []sqlitestore.HistoryEntry
	for _, h := range all {
		if h.Origin == "demo-booth" {
			hs = append(hs, h)
		} else if h.At.After(time.Now().Add(-time.Hour)) {
			t.Errorf("seeded history crossing is recent: %+v", h)
		}
	}
	if len(all) == len(hs) {
		t.Error("the demo SENTRI car has no seeded history at the port's other booths")
	}
	if len(hs) != 1 {
		t.Fatalf("this booth's crossings of US-CA/7ABC123: %+v (all: %+v)", hs, all)
	}
	evs, err := st.Events(ctx, hs[0].CrossingID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[records.Kind]int{}
	for _, e := range evs {
		kinds[e.Kind]++
		if e.Kind == records.KindDetermination && e.Officer != demoBadge {
			t.Errorf("determination by %q, want %q", e.Officer, demoBadge)
		}
	}
	for _, k := range []records.Kind{records.KindCrossingOpened, records.KindRPMOccupancy, records.KindPlateRead,
		records.KindReferenceChecked, records.KindDetermination, records.KindCrossingClosed} {
		if kinds[k] == 0 {
			t.Errorf("no %s event; stored %v", k, kinds)
		}
	}
	if kinds[records.KindRFIDRead] != 2 {
		t.Errorf("%d rfid.read events, want the 2 cards (the neighbour lane's card is below the RSSI floor)", kinds[records.KindRFIDRead])
	}
	srv, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "portserver.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if up, err := srv.Events(ctx, hs[0].CrossingID); err != nil || len(up) != len(evs) {
		t.Errorf("port server holds %d of the crossing's %d events (%v)", len(up), len(evs), err)
	}
	c, err := st.Crossing(ctx, hs[0].CrossingID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != records.StatusClosed || c.Determination == nil || c.Determination.Value.Outcome != records.OutcomeAdmitted {
		t.Fatalf("crossing status %s determination %+v", c.Status, c.Determination)
	}
}

// TestTUIConfigErrors: a wrong key binding stops the workstation with an
// error naming it, before anything is drawn.
func TestTUIConfigErrors(t *testing.T) {
	tests := []struct{ keys, want string }{
		{`launch = ["l"]`, "keys.launch: unknown action"},
		{`admit = ["ctrl+"]`, "keys.admit"},
		{`admit = ["r"]`, `"r" is bound to both`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "booth.toml")
		cfg := fmt.Sprintf("database = %q\nlog_file = %q\n[keys]\n%s\n", filepath.Join(dir, "booth.db"), filepath.Join(dir, "booth.log"), tt.keys)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr strings.Builder
		code := run([]string{"--config", cfgPath}, strings.NewReader(""), &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("keys %s: exit %d, stderr %q; want an error with %q", tt.keys, code, stderr.String(), tt.want)
		}
	}
}
