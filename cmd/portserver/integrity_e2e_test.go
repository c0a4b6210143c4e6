package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
)

// TestServerFlagsCrossingWithoutOpening sends, through the real server
// over mutual TLS, a booth's batch holding a crossing whose opening never
// came (as a booth built before the store refused that would): the server
// stores it (nothing is lost) and flags it in /metrics and in `portserver
// status`, text and JSON, against the workstation that sent it.
func TestServerFlagsCrossingWithoutOpening(t *testing.T) {
	r := newRig(t, "booth-1")
	pki := filepath.Join(r.dir, "pki")
	tlsConf, err := replication.ClientTLSConfig(filepath.Join(pki, replication.CACertFile),
		filepath.Join(pki, "booth-1.crt"), filepath.Join(pki, "booth-1.key"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := replication.NewClient("https://"+r.proxy.Addr(), tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []records.Event
	add := func(cid string, p records.Payload) records.Event {
		e, err := records.NewEvent(cid, p, at.Add(time.Duration(len(evs))*time.Second), "")
		if err != nil {
			t.Fatal(err)
		}
		e.Origin, e.OriginSeq = "booth-1", int64(len(evs)+1)
		evs = append(evs, e)
		return e
	}
	whole, headless := records.NewID(), records.NewID()
	add(whole, records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"})
	add(whole, records.RFIDRead{EPC: "E20000000000000000000001", RSSI: -40})
	first := add(headless, records.RFIDRead{EPC: "E20000000000000000000002", RSSI: -40})
	add(headless, records.Note{Text: "saved to a crossing that never opened"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := client.SendBatch(ctx, replication.BatchRequest{Events: evs, Backlog: len(evs)})
	if err != nil || resp.Acked != int64(len(evs)) {
		t.Fatalf("batch: %+v, %v; want every event acknowledged", resp, err)
	}

	metrics, err := client.Get(ctx, replication.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	if want := `portserver_crossings_without_opening{workstation="booth-1"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %q:\n%s", want, metrics)
	}

	r.stopServer(t)
	db := filepath.Join(r.dir, "server.db")
	var rep statusReport
	if out := cli(t, "status", "--db", db, "--json"); json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("status --json: %s", out)
	}
	m := rep.MissingOpenings
	if m.Total != 1 || m.ByWorkstation["booth-1"] != 1 || len(m.Crossings) != 1 {
		t.Fatalf("status --json missing_openings %+v, want the one headless crossing", m)
	}
	c := m.Crossings[0]
	if c.CrossingID != headless || c.Workstation != "booth-1" || c.FirstEvent != first.ID || c.FirstKind != string(records.KindRFIDRead) ||
		c.FirstOriginSeq != 3 || c.Events != 2 {
		t.Errorf("flagged crossing %+v", c)
	}
	if len(rep.Workstations) != 1 || rep.Workstations[0].MissingOpenings != 1 {
		t.Errorf("workstations %+v, want booth-1 with 1 missing opening", rep.Workstations)
	}
	text := cli(t, "status", "--db", db)
	for _, want := range []string{"WARNING: 1 crossings without an opening", headless + " from booth-1", fmt.Sprintf("rfid.read #%d", 3)} {
		if !strings.Contains(text, want) {
			t.Errorf("status text lacks %q:\n%s", want, text)
		}
	}
}
