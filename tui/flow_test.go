package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

// TestFlowCleanSentri drives the real Bubble Tea program at a fixed 120×40
// terminal: sign in, a SENTRI car arrives, one key admits it.
func TestFlowCleanSentri(t *testing.T) {
	e := newTestEnv(t, nil)
	tm := teatest.NewTestModel(t, e.m, teatest.WithInitialTermSize(120, 40))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("SIGN IN")
	tm.Type(testBadge)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Type(testPIN)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Lane idle")

	at := e.now
	tm.Send(DeviceMsg{Event: hardware.Event{Device: hardware.DeviceRFID, Kind: hardware.KindTag, At: at,
		Tag: &hardware.Tag{EPC: epcGarcia, Antenna: 1, RSSI: -55}}})
	tm.Send(DeviceMsg{Event: hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, At: at.Add(4 * time.Second),
		Occupancy: &hardware.Occupancy{Occupancy: 4101, Start: at.Add(time.Second), End: at.Add(4 * time.Second), MaxGamma: 410, BackgroundGamma: 400}}})
	tm.Send(DeviceMsg{Event: hardware.Event{Device: hardware.DeviceLPR, Kind: hardware.KindPlate, At: at.Add(5 * time.Second),
		Plate: &hardware.Plate{Plate: "7ABC123", Region: "us-ca", Confidence: 93}}})
	waitFor("admit with a")
	tm.Type("a")
	// The screen is redrawn by differences, so the proof is in the log.
	deadline := time.Now().Add(10 * time.Second)
	for e.log.count(records.KindDetermination) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("admit not stored")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if fm.ws.lane.Current() != "" {
		t.Error("booth still holds the admitted vehicle")
	}
	if !strings.Contains(fm.status.text, "saved: admitted 7ABC123") {
		t.Errorf("status line %q", fm.status.text)
	}
}
