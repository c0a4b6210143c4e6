package tui

import (
	"reflect"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

func TestDevicePayload(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	doc := &mrz.Result{Format: "TD3"}
	tests := []struct {
		name string
		ev   hardware.Event
		mode records.Mode
		want records.Payload
	}{
		{"card read", hardware.Event{Kind: hardware.KindTag, Tag: &hardware.Tag{EPC: "E2", Antenna: 2, RSSI: -50}},
			records.ModeVehicle, records.RFIDRead{EPC: "E2", Antenna: 2, RSSI: -50}},
		{"card read without a card", hardware.Event{Kind: hardware.KindTag}, records.ModeVehicle, nil},
		{"card read with an empty EPC", hardware.Event{Kind: hardware.KindTag, Tag: &hardware.Tag{}}, records.ModeVehicle, nil},
		{"portal occupancy", hardware.Event{Kind: hardware.KindOccupancy, Occupancy: &hardware.Occupancy{Occupancy: 7,
			Start: t0, End: t0.Add(3 * time.Second), GammaAlarm: true, NeutronAlarm: true, MaxGamma: 900, MaxNeutron: 4,
			BackgroundGamma: 250, Speed: 3.5}}, records.ModeVehicle,
			records.RPMOccupancy{Occupancy: 7, Start: t0, End: t0.Add(3 * time.Second), GammaAlarm: true, NeutronAlarm: true,
				MaxGamma: 900, MaxNeutron: 4, BackgroundGamma: 250, Speed: 3.5}},
		{"occupancy without data", hardware.Event{Kind: hardware.KindOccupancy}, records.ModeVehicle, nil},
		{"plate read, upper-cased", hardware.Event{Kind: hardware.KindPlate, Plate: &hardware.Plate{Plate: "7abc123", Region: "us-ca",
			Confidence: 71, CameraID: "cam1", Candidates: []hardware.PlateCandidate{{Plate: "7a8c123", Confidence: 60}}}},
			records.ModeVehicle, records.PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 71, CameraID: "cam1",
				Candidates: []records.PlateCandidate{{Plate: "7A8C123", Confidence: 60}}}},
		{"empty plate", hardware.Event{Kind: hardware.KindPlate, Plate: &hardware.Plate{Region: "us-ca"}}, records.ModeVehicle, nil},
		{"plate at a pedestrian counter", hardware.Event{Kind: hardware.KindPlate, Plate: &hardware.Plate{Plate: "X1"}}, records.ModePedestrian, nil},
		{"document read", hardware.Event{Kind: hardware.KindDocument, Document: &hardware.Document{MRZ: doc, Raw: []string{"L1", "L2"}}},
			records.ModePedestrian, records.DocumentRead{Raw: []string{"L1", "L2"}, MRZ: *doc}},
		{"document without an MRZ", hardware.Event{Kind: hardware.KindDocument, Document: &hardware.Document{Raw: []string{"??"}}}, records.ModeVehicle, nil},
		{"device status", hardware.Event{Kind: hardware.KindStatus, Status: &hardware.Status{State: hardware.StateConnected}}, records.ModeVehicle, nil},
		{"device error", hardware.Event{Kind: hardware.KindError, Error: &hardware.Error{Err: "bad BCC"}}, records.ModeVehicle, nil},
		{"RPM fault", hardware.Event{Kind: hardware.KindFault, Fault: &hardware.Fault{Code: "BG"}}, records.ModeVehicle, nil},
		{"RPM tamper", hardware.Event{Kind: hardware.KindTamper, Tamper: &hardware.Tamper{Active: true}}, records.ModeVehicle, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := devicePayload(tt.ev, tt.mode); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestInstructsReferral(t *testing.T) {
	tests := []struct {
		instruction string
		want        bool
	}{
		{"Refer to secondary for agriculture inspection.", true},
		{"Refer to secondary. Do not alert subject.", true},
		{"Refer vehicle to secondary for examination.", true},
		{"Do not alert subject; refer to secondary", true},
		{"Verify registration; no referral required.", false},
		{"Check visa history; refer if unclear.", false},
		{"Refer unless the officer can verify status.", false},
		{"Referral not needed.", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := instructsReferral(tt.instruction); got != tt.want {
			t.Errorf("instructsReferral(%q) = %v, want %v", tt.instruction, got, tt.want)
		}
	}
}
