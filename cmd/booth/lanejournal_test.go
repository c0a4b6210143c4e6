package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

func TestLaneJournalEntryForDeviceEvents(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	l := &laneReporter{cfg: Config{Port: "2604", Lane: "L1"}, devices: map[hardware.Device]records.DeviceStatus{}, lastFault: map[string]time.Time{}}
	status := func(dev hardware.Device, state string, after time.Duration) hardware.Event {
		return hardware.Event{Device: dev, Kind: hardware.KindStatus, At: at.Add(after), Status: &hardware.Status{State: state, Detail: "cable"}}
	}
	fault := func(code string, after time.Duration) hardware.Event {
		return hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindFault, At: at.Add(after), Fault: &hardware.Fault{Code: code}}
	}
	tamper := func(on bool, after time.Duration) hardware.Event {
		return hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindTamper, At: at.Add(after), Tamper: &hardware.Tamper{Active: on}}
	}
	steps := []struct {
		name string
		ev   hardware.Event
		kind records.JournalKind // "" for no entry
	}{
		{"first connect at start", status(hardware.DeviceRPM, hardware.StateConnected, 0), ""},
		{"unplug", status(hardware.DeviceRPM, hardware.StateDisconnected, time.Second), records.JournalDeviceDisconnected},
		{"still unplugged", status(hardware.DeviceRPM, hardware.StateDisconnected, 2*time.Second), ""},
		{"replug", status(hardware.DeviceRPM, hardware.StateConnected, 3*time.Second), records.JournalDeviceConnected},
		{"absent device at start", status(hardware.DeviceLPR, hardware.StateDisconnected, 0), records.JournalDeviceDisconnected},
		{"gamma high", fault("GH", 10*time.Second), records.JournalRPMFault},
		{"gamma high repeated in its spell", fault("GH", 15*time.Second), ""},
		{"gamma low", fault("GL", 16*time.Second), records.JournalRPMFault},
		{"gamma high after a quiet minute", fault("GH", 15*time.Second+faultRepeat), records.JournalRPMFault},
		{"tamper", tamper(true, 20*time.Second), records.JournalRPMTamper},
		{"tamper again", tamper(true, 21*time.Second), ""},
		{"tamper cleared", tamper(false, 22*time.Second), records.JournalRPMTamper},
		{"normal occupancy", hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, At: at, Occupancy: &hardware.Occupancy{Occupancy: 3}}, ""},
		{"extended occupancy", hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, At: at,
			Occupancy: &hardware.Occupancy{Incomplete: true, GammaAlarm: true, Start: at, End: at.Add(time.Minute)}}, records.JournalExtendedOccupancy},
		{"a tag read", hardware.Event{Device: hardware.DeviceRFID, Kind: hardware.KindTag, At: at, Tag: &hardware.Tag{EPC: "E1"}}, ""},
	}
	for _, st := range steps {
		e, ok := l.entryFor(st.ev)
		if (st.kind == "") == ok || (ok && e.Kind != st.kind) {
			t.Errorf("%s: entry %v %q, want %q", st.name, ok, e.Kind, st.kind)
			continue
		}
		if ok {
			if err := e.Validate(); err != nil {
				t.Errorf("%s: %v", st.name, err)
			}
			if e.Lane != "L1" || e.Port != "2604" {
				t.Errorf("%s: lane %q port %q", st.name, e.Lane, e.Port)
			}
		}
	}
}

// TestLaneReporterUnplugReachesThePortServer: an RPM unplugged at a booth
// with an officer signed in reaches the port server as a journal entry
// naming the officer and as the heartbeat's device state, within seconds,
// over the real mTLS server.
func TestLaneReporterUnplugReachesThePortServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	server, err := sqlitestore.Open(ctx, filepath.Join(dir, "port.db"), sqlitestore.Options{Origin: "port-2604", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	local, err := replication.StartLocal(ctx, server, filepath.Join(dir, "pki"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	client, err := local.Client(replication.RolePrimary, "booth-1")
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "booth.db"), sqlitestore.Options{Origin: "booth-1", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Audit(ctx, sqlitestore.AuditEntry{Officer: "B100", Action: sqlitestore.ActionLogin, Subject: "B100"}); err != nil {
		t.Fatal(err)
	}
	lanes, err := newLaneReporter(store, client, Config{Port: "2604", Lane: "L1", Mode: "vehicle", Workstation: "booth-1"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { lanes.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	lanes.observe(ctx, hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindStatus, At: time.Now(), Status: &hardware.Status{State: hardware.StateConnected}})
	start := time.Now()
	lanes.observe(ctx, hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindStatus, At: time.Now(),
		Status: &hardware.Status{State: hardware.StateDisconnected, Detail: "unplugged"}})
	lanes.health(ctx, []hardware.Health{{Device: hardware.DeviceRPM, State: hardware.HealthDisconnected}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries, _, err := server.JournalFeed(ctx, 0, 10)
		hbs, _ := server.Heartbeats(ctx)
		if err == nil && len(entries) == 1 && len(hbs) == 1 && len(hbs[0].Devices) == 1 && hbs[0].Devices[0].State == "disconnected" {
			e, hb := entries[0], hbs[0]
			if e.Kind != records.JournalDeviceDisconnected || e.Device != "rpm" || e.Officer != "B100" || e.Origin != "booth-1" {
				t.Fatalf("journal entry = %+v", e)
			}
			if hb.Officer != "B100" || hb.Lane != "L1" || hb.State != records.LaneIdle || hb.Workstation != "booth-1" {
				t.Fatalf("heartbeat = %+v", hb)
			}
			t.Logf("unplug at the server after %s", time.Since(start))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s: journal %+v, heartbeats %+v, err %v", entries, hbs, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
