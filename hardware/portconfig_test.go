package hardware

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDefaultPortConfig(t *testing.T) {
	for dev, baud := range map[Device]int{DeviceDoc: 9600, DeviceRFID: 115200, DeviceRPM: 9600, DeviceLPR: 115200} {
		c := DefaultPortConfig(dev, "/dev/ttyUSB0")
		if c.Baud != baud || c.Framing() != "8N1" || c.ReadTimeout != DefaultReadTimeout || c.Validate() != nil {
			t.Errorf("%s: %+v (%v)", dev, c, c.Validate())
		}
	}
}

func TestPortConfigValidate(t *testing.T) {
	good := PortConfig{Path: "/dev/ttyS0", Baud: 9600}
	tests := []struct {
		name   string
		mutate func(*PortConfig)
		want   string // substring of the error, "" for valid
	}{
		{"defaults", func(*PortConfig) {}, ""},
		{"7E2", func(c *PortConfig) { c.Size, c.Parity, c.StopBits = 7, ParityEven, 2 }, ""},
		{"no path", func(c *PortConfig) { c.Path = "" }, "path"},
		{"odd baud", func(c *PortConfig) { c.Baud = 9601 }, "baud 9601"},
		{"no baud", func(c *PortConfig) { c.Baud = 0 }, "baud 0"},
		{"data bits", func(c *PortConfig) { c.Size = 9 }, "data bits"},
		{"parity", func(c *PortConfig) { c.Parity = 'M' }, "parity"},
		{"stop bits", func(c *PortConfig) { c.StopBits = 3 }, "stop bits"},
		{"read timeout", func(c *PortConfig) { c.ReadTimeout = time.Minute }, "read timeout"},
		{"backoff", func(c *PortConfig) { c.MinBackoff, c.MaxBackoff = time.Second, time.Millisecond }, "backoff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mutate(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestParseFraming(t *testing.T) {
	size, par, stop, err := ParseFraming(" 7e2 ")
	if err != nil || size != 7 || par != ParityEven || stop != 2 {
		t.Errorf("ParseFraming(7e2) = %d %c %d %v", size, par, stop, err)
	}
	for _, bad := range []string{"", "8N", "9N1", "8X1", "8N3", "xN1", "8N1 extra"} {
		if _, _, _, err := ParseFraming(bad); err == nil {
			t.Errorf("ParseFraming(%q) accepted", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := newBackoff(100*time.Millisecond, time.Second)
	caps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
	for i, c := range caps {
		c *= time.Millisecond
		d := b.next()
		if d < c/2 || d > c {
			t.Errorf("delay %d = %v, want in [%v, %v]", i, d, c/2, c)
		}
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset = %v", d)
	}
}

func TestHealthTracker(t *testing.T) {
	now := time.Unix(1000, 0)
	h := newHealthTracker(DeviceRFID, "/dev/x", 2, now)
	errEv := Event{Kind: KindError, Error: &Error{Err: "bad"}}
	tag := Event{Kind: KindTag, Tag: &Tag{}}
	h.connected("/dev/pts/1", now)
	h.account([]Event{errEv}, 0, now)
	if s := h.snapshot(); s.State != HealthConnected {
		t.Errorf("one error: %s", s.State)
	}
	h.account([]Event{errEv}, 0, now.Add(time.Second))
	s := h.snapshot()
	if s.State != HealthFaulty || !s.Since.Equal(now.Add(time.Second)) {
		t.Errorf("two errors: %+v", s)
	}
	// Silent frames in a call with errors do not clear the fault.
	h.account([]Event{errEv}, 1, now)
	if s := h.snapshot(); s.State != HealthFaulty {
		t.Errorf("error and heartbeat: %s", s.State)
	}
	h.account([]Event{errEv, tag}, 0, now)
	if s := h.snapshot(); s.State != HealthConnected || s.Frames != 2 || s.Errors != 4 {
		t.Errorf("good frame last: %+v", s)
	}
	h.disconnected(nil, true, now)
	h.connected("/dev/pts/2", now)
	if s := h.snapshot(); s.Reconnects != 1 || s.Errors != 5 || s.OpenPath != "/dev/pts/2" {
		t.Errorf("after reconnect: %+v", s)
	}
}

func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)
	tests := []struct {
		ev   Event
		want map[string]any
	}{
		{Event{Device: DeviceDoc, Kind: KindStatus, At: at, Status: &Status{State: StateConnected}},
			map[string]any{"device": "doc", "kind": "status", "at": "2026-11-25T10:49:35Z", "state": "connected"}},
		{Event{Device: DeviceDoc, Kind: KindError, At: at, Error: &Error{Err: "bad BCC", Raw: []byte("\x02AB")}},
			map[string]any{"device": "doc", "kind": "error", "at": "2026-11-25T10:49:35Z", "error": "bad BCC", "raw": "\x02AB"}},
		{Event{Device: DeviceRFID, Kind: KindTag, At: at, Tag: &Tag{EPC: "E200", Antenna: 1, RSSI: -52}},
			map[string]any{"device": "rfid", "kind": "tag", "at": "2026-11-25T10:49:35Z", "epc": "E200", "antenna": 1.0, "rssi": -52.0}},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.ev)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s: %s = %#v, want %#v", b, k, got[k], v)
			}
		}
	}
}
