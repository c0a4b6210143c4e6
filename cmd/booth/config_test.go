package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrintConfigRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	if err := printConfig(&buf, defaultConfig()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"workstation = ", "[devices.doc]", "idle_gap = \"150ms\"", "rssi_floor = -70", "citizen_capture = \"12h0m0s\"",
		"# Ignore reads weaker than this (dBm)", "admit = [\"a\"]"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("printed config lacks %q:\n%s", want, buf.String())
		}
	}
	cfg := defaultConfig()
	if err := decodeConfig(buf.Bytes(), &cfg); err != nil {
		t.Fatalf("printed config does not load back: %v", err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name, toml, wantErr string
	}{
		{"unknown key", "lanes = \"V1\"", "unknown key(s): lanes"},
		{"unknown nested key", "[devices.doc]\nbaudrate = 9600", "devices.doc.baudrate"},
		{"bad mode", "mode = \"truck\"", "mode: \"truck\" is not one of vehicle | pedestrian"},
		{"bad duration", "idle_lock = \"five minutes\"", "not a duration"},
		{"bad baud", "[devices.rfid]\nbaud = 1234", "devices.rfid.baud: 1234"},
		{"plain http port server", "[port_server]\nurl = \"http://x\"\nca=\"a\"\ncert=\"b\"\nkey=\"c\"", "must be https://"},
		{"retention beyond rule", "[retention]\ncitizen_capture = \"13h\"", "retention.citizen_capture"},
		{"wrong type", "lane = 3", "lane"},
		{"syntax", "lane = ", "line 1"},
		{"unknown key action", "[keys]\nadmitt = [\"a\"]", "keys.admitt: unknown action"},
		{"key clash", "[keys]\nadmit = [\"r\"]", "bound to both admit and refer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "booth.toml")
			if err := os.WriteFile(path, []byte(tt.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadConfigOverridesAndFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "booth.toml")
	src := "lane = \"P02\"\nmode = \"pedestrian\"\n[devices.doc]\npath = \"/dev/serial/by-id/doc\"\nidle_gap = \"200ms\"\n[keys]\nadmit = [\"a\"]\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lane != "P02" || cfg.Mode != "pedestrian" || cfg.Devices.Doc.Path != "/dev/serial/by-id/doc" ||
		cfg.Devices.Doc.IdleGap.Duration != 200*time.Millisecond || cfg.Devices.Doc.Baud != 9600 || cfg.Keys["admit"][0] != "a" {
		t.Errorf("file not applied over defaults: %+v", cfg)
	}
	if err := cfg.applyFlags("supervisor", false); err != nil {
		t.Fatal(err)
	}
	if cfg.Role != "supervisor" || !cfg.ReadOnly {
		t.Errorf("supervisor must be read-only: role %s read_only %v", cfg.Role, cfg.ReadOnly)
	}
	if err := cfg.applyFlags("janitor", false); err == nil {
		t.Error("bad --role accepted")
	}
}
