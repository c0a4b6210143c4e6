package rfid

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

var t0 = time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)

const (
	epc1    = "E2003411B802011516121234"
	verbose = "Tag:E200 3411 B802 0115 1612 1234, Disc:2026/11/25 10:49:35, Last:2026/11/25 10:49:36, Count:3, Ant:1, RSSI:-52"
)

func summary(evs []hardware.Event) string {
	var s []string
	for _, e := range evs {
		switch e.Kind {
		case hardware.KindTag:
			s = append(s, fmt.Sprintf("tag %s/%d/%d", e.Tag.EPC, e.Tag.Antenna, e.Tag.RSSI))
		default:
			s = append(s, string(e.Kind))
		}
	}
	return strings.Join(s, "; ")
}

func TestDecoderLines(t *testing.T) {
	long := strings.Repeat("ABCD", 31) // 496 bits
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"csv", epc1 + ",1,-52\r\n", "tag " + epc1 + "/1/-52"},
		{"csv LF", epc1 + ",2,-60\n", "tag " + epc1 + "/2/-60"},
		{"csv CR", epc1 + ",2,-60\r", "tag " + epc1 + "/2/-60"},
		{"csv spaces and lower case", " e200 3411 b802 0115 1612 1234 , 3 , -41 \r\n", "tag " + epc1 + "/3/-41"},
		{"csv decimal rssi", epc1 + ",1,-52.4\r\n", "tag " + epc1 + "/1/-52"},
		{"verbose", verbose + "\r\n", "tag " + epc1 + "/1/-52"},
		{"verbose lower-case keys", strings.ToLower(verbose) + "\r\n", "tag " + epc1 + "/1/-52"},
		{"heartbeat", "(No Tags)\r\n", ""},
		{"empty lines", "\r\n\r\n  \r\n", ""},
		{"below floor", epc1 + ",1,-71\r\n", ""},
		{"at floor", epc1 + ",1,-70\r\n", "tag " + epc1 + "/1/-70"},
		{"496-bit EPC", long + ",1,-50\r\n", "tag " + long + "/1/-50"},
		{"EPC too long", long + "ABCD,1,-50\r\n", "error"},
		{"EPC too short", "E2003411B80201151612,1,-50\r\n", "error"},
		{"EPC not whole words", epc1 + "AB,1,-50\r\n", "error"},
		{"EPC not hex", strings.Replace(epc1, "E", "G", 1) + ",1,-50\r\n", "error"},
		{"missing field", epc1 + ",1\r\n", "error"},
		{"extra field", epc1 + ",1,-52,7\r\n", "error"},
		{"bad antenna", epc1 + ",x,-52\r\n", "error"},
		{"bad rssi", epc1 + ",1,loud\r\n", "error"},
		{"absurd rssi", epc1 + ",1,900\r\n", "error"},
		{"verbose without RSSI", "Tag:E200 3411 B802 0115 1612 1234, Ant:1\r\n", "error"},
		{"verbose junk field", "Tag:E200 3411 B802 0115 1612 1234, junk, Ant:1, RSSI:-50\r\n", "error"},
		{"binary garbage", "\x00\xff\x13garbage\r\n", "error"},
		{"overlong line then good", strings.Repeat("9", 2000) + "\r\n" + epc1 + ",1,-52\r\n", "error; tag " + epc1 + "/1/-52"},
		{"garbage then good", "#$%\r\n" + epc1 + ",1,-52\r\n", "error; tag " + epc1 + "/1/-52"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Feed byte by byte too: lines span chunks.
			for _, chunked := range []bool{false, true} {
				d := NewDecoder(Options{})
				var evs []hardware.Event
				if chunked {
					for i := range len(tc.in) {
						evs = append(evs, d.Feed([]byte{tc.in[i]}, t0)...)
					}
				} else {
					evs = d.Feed([]byte(tc.in), t0)
				}
				if got := summary(evs); got != tc.want {
					t.Errorf("chunked=%v: events = %q, want %q", chunked, got, tc.want)
				}
			}
		})
	}
}

func TestDeduplication(t *testing.T) {
	d := NewDecoder(Options{Window: 10 * time.Second})
	line := []byte(epc1 + ",1,-52\r\n")
	var reported []time.Duration
	feed := func(at time.Duration) {
		for _, ev := range d.Feed(line, t0.Add(at)) {
			if ev.Kind == hardware.KindTag {
				reported = append(reported, at)
			}
		}
	}
	// Held in the field for 30 s, read every 500 ms: one report.
	for at := time.Duration(0); at <= 30*time.Second; at += 500 * time.Millisecond {
		feed(at)
	}
	// Gone for 9 s: still the same visit.
	feed(39 * time.Second)
	// Gone for 10 s: a new visit.
	feed(49 * time.Second)
	want := []time.Duration{0, 49 * time.Second}
	if fmt.Sprint(reported) != fmt.Sprint(want) {
		t.Errorf("reported at %v, want %v", reported, want)
	}
	if got := d.Frames(); got != 63 {
		t.Errorf("Frames() = %d, want every read counted (63)", got)
	}
}

func TestDeduplicationPerEPC(t *testing.T) {
	d := NewDecoder(Options{})
	other := "E2003411B802011516125678"
	in := epc1 + ",1,-52\r\n" + other + ",2,-55\r\n" + epc1 + ",1,-50\r\n" + strings.ToLower(other) + ",1,-50\r\n"
	if got, want := summary(d.Feed([]byte(in), t0)), "tag "+epc1+"/1/-52; tag "+other+"/2/-55"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
}

func TestBelowFloorDoesNotRefresh(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte(epc1+",1,-52\r\n"), t0)
	// The neighbour lane keeps seeing it faintly; that must not keep it
	// suppressed when it comes back into this lane.
	for i := 1; i <= 20; i++ {
		d.Feed([]byte(epc1+",4,-80\r\n"), t0.Add(time.Duration(i)*time.Second))
	}
	if got := summary(d.Feed([]byte(epc1+",1,-50\r\n"), t0.Add(21*time.Second))); got != "tag "+epc1+"/1/-50" {
		t.Errorf("events = %q", got)
	}
}

func TestRSSIFloorOption(t *testing.T) {
	d := NewDecoder(Options{RSSIFloor: -200})
	if got := summary(d.Feed([]byte(epc1+",1,-95\r\n"), t0)); got == "" {
		t.Error("floor -200 dropped a -95 dBm read")
	}
}

func TestIncompleteLine(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte(epc1+",1,-5"), t0)
	if evs := d.Idle(t0.Add(100 * time.Millisecond)); len(evs) != 0 {
		t.Fatalf("early Idle = %q", summary(evs))
	}
	evs := d.Idle(t0.Add(time.Second))
	if len(evs) != 1 || evs[0].Kind != hardware.KindError || string(evs[0].Error.Raw) != epc1+",1,-5" {
		t.Fatalf("Idle = %+v", evs)
	}
	// The truncated line must not be joined with the next one.
	if got := summary(d.Feed([]byte("2\r\n"+epc1+",1,-52\r\n"), t0.Add(2*time.Second))); got != "error; tag "+epc1+"/1/-52" {
		t.Errorf("after timeout = %q", got)
	}
	d.Feed([]byte(epc1), t0.Add(3*time.Second))
	if got := summary(d.Flush(t0.Add(3 * time.Second))); got != "error" {
		t.Errorf("Flush = %q", got)
	}
}

func TestTrackedBound(t *testing.T) {
	d := NewDecoder(Options{MaxTracked: 100})
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "E2003411B8020115%08X,1,-50\r\n", i)
	}
	evs := d.Feed([]byte(b.String()), t0)
	if len(evs) != 1000 {
		t.Errorf("%d events, want 1000 distinct tags", len(evs))
	}
	if len(d.seen) > 100 {
		t.Errorf("tracking %d EPCs, bound 100", len(d.seen))
	}
	// Expired entries go at the next purge.
	d.Idle(t0.Add(time.Minute))
	if len(d.seen) != 0 {
		t.Errorf("tracking %d EPCs after the window", len(d.seen))
	}
}
