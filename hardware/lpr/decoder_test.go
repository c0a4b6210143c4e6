package lpr

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

var t0 = time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)

// frameJSON builds an alpr_results line stamped at t0+skew.
func frameJSON(skew time.Duration, results string) string {
	return fmt.Sprintf(`{"data_type":"alpr_results","version":2,"epoch_time":%d,"camera_id":"lane3-front","results":[%s]}`,
		t0.Add(skew).UnixMilli(), results)
}

const abc = `{"plate":"ABC1234","confidence":91.2,"region":"us-az","region_confidence":80,"matches_template":1,` +
	`"candidates":[{"plate":"ABC1234","confidence":91.2},{"plate":"ABC1Z34","confidence":80.5},{"plate":"A8C1234","confidence":140}]}`

func kinds(evs []hardware.Event) string {
	var k []string
	for _, e := range evs {
		k = append(k, string(e.Kind))
	}
	return strings.Join(k, ",")
}

func TestPlate(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   hardware.Plate
		wantAt time.Time
	}{
		{
			name: "single plate",
			line: frameJSON(-300*time.Millisecond, abc),
			want: hardware.Plate{Plate: "ABC1234", Region: "US-AZ", Confidence: 91.2, CameraID: "lane3-front",
				Candidates: []hardware.PlateCandidate{{Plate: "ABC1234", Confidence: 91.2}, {Plate: "ABC1Z34", Confidence: 80.5}}},
			wantAt: t0.Add(-300 * time.Millisecond),
		},
		{
			name: "template match beats higher confidence",
			line: frameJSON(0, `{"plate":"XYZ999","confidence":95,"matches_template":0},`+
				`{"plate":"bcd 12-34","confidence":85,"region":"mx-bcn","matches_template":1}`),
			want:   hardware.Plate{Plate: "BCD1234", Region: "MX-BCN", Confidence: 85, CameraID: "lane3-front", Candidates: []hardware.PlateCandidate{}},
			wantAt: t0,
		},
		{
			name: "highest confidence among equals, earliest on tie",
			line: frameJSON(0, `{"plate":"AAA111","confidence":70},{"plate":"BBB222","confidence":88.8},{"plate":"CCC333","confidence":88.8}`),
			want: hardware.Plate{Plate: "BBB222", Confidence: 88.8, CameraID: "lane3-front", Candidates: []hardware.PlateCandidate{}},
		},
		{
			name: "bad results skipped, good one kept",
			line: frameJSON(0, `{"plate":"BAD1","confidence":140,"matches_template":1},{"plate":"ÄÖÜ","confidence":99},`+
				`{"plate":"GOOD1","confidence":60,"region":"??"}`),
			want: hardware.Plate{Plate: "GOOD1", Confidence: 60, CameraID: "lane3-front", Candidates: []hardware.PlateCandidate{}},
		},
		{
			name: "no epoch_time uses arrival time; numeric camera id; boolean template flag",
			line: `{"data_type":"alpr_results","camera_id":1234,"results":[{"plate":"q1","confidence":0,"matches_template":true,` +
				`"candidates":[{"plate":"Q1","confidence":10},{"plate":"q-1","confidence":30},{"plate":"O1","confidence":20}]}]}`,
			want: hardware.Plate{Plate: "Q1", Confidence: 0, CameraID: "1234",
				Candidates: []hardware.PlateCandidate{{Plate: "Q1", Confidence: 30}, {Plate: "O1", Confidence: 20}}},
			wantAt: t0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(Options{})
			evs := d.Feed([]byte(tt.line+"\n"), t0)
			if len(evs) != 1 || evs[0].Kind != hardware.KindPlate {
				t.Fatalf("events = %s %+v, want one plate", kinds(evs), evs)
			}
			if !reflect.DeepEqual(*evs[0].Plate, tt.want) {
				t.Errorf("plate = %+v\nwant    %+v", *evs[0].Plate, tt.want)
			}
			wantAt := tt.wantAt
			if wantAt.IsZero() {
				wantAt = t0
			}
			if !evs[0].At.Equal(wantAt) || evs[0].Device != hardware.DeviceLPR {
				t.Errorf("at %v device %s, want %v lpr", evs[0].At, evs[0].Device, wantAt)
			}
			if _, err := json.Marshal(evs[0]); err != nil {
				t.Errorf("marshal: %v", err)
			}
		})
	}
}

func TestNoEvent(t *testing.T) {
	tests := []struct {
		name                   string
		line                   string
		frames, empty, ignored uint64
	}{
		{"empty results", frameJSON(0, ""), 1, 1, 0},
		{"heartbeat", `{"data_type":"heartbeat","company_id":"x","uptime":123}`, 1, 0, 1},
		{"group", `{"data_type":"alpr_group","best_plate":{"plate":"ABC"},"epoch_start":1}`, 1, 0, 1},
		{"blank line", "   ", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(Options{})
			if evs := d.Feed([]byte(tt.line+"\r\n"), t0); len(evs) != 0 {
				t.Fatalf("events = %s, want none", kinds(evs))
			}
			st := d.Stats()
			if st.Frames != tt.frames || st.Empty != tt.empty || st.Ignored != tt.ignored || st.Errors != 0 {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestBadFrames(t *testing.T) {
	tests := []struct {
		name, line, wantErr string
	}{
		{"garbage", "\x00\x01ABC1234", "not a JSON object"},
		{"truncated", frameJSON(0, abc)[:80], "bad JSON"},
		{"array", `[{"data_type":"alpr_results"}]`, "not a JSON object"},
		{"trailing garbage", frameJSON(0, abc) + "xyz", "bad JSON"},
		{"no data_type", `{"results":[]}`, "no data_type"},
		{"wrong types", `{"data_type":"alpr_results","results":"ABC"}`, "bad alpr_results"},
		{"bad template flag", frameJSON(0, `{"plate":"A1","confidence":50,"matches_template":"yes"}`), "matches_template"},
		{"confidence above 100", frameJSON(0, `{"plate":"A1","confidence":140}`), "confidence 140 outside 0-100"},
		{"negative confidence", frameJSON(0, `{"plate":"A1","confidence":-3}`), "outside 0-100"},
		{"missing confidence", frameJSON(0, `{"plate":"A1"}`), "no confidence"},
		{"empty plate", frameJSON(0, `{"plate":" - ","confidence":50}`), "empty plate"},
		{"plate too long", frameJSON(0, `{"plate":"ABCDEFGHIJKLMN","confidence":50}`), "longer than 12"},
		{"stale frame", frameJSON(-2*time.Hour, abc), "is 2h0m0s behind the workstation clock"},
		{"future frame", frameJSON(5*time.Minute, abc), "5m0s ahead of"},
		{"epoch zero", `{"data_type":"alpr_results","epoch_time":0,"results":[]}`, "epoch_time"},
		{"epoch absurd", `{"data_type":"alpr_results","epoch_time":1e300,"results":[]}`, "epoch_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(Options{})
			evs := d.Feed([]byte(tt.line+"\n"), t0)
			if len(evs) != 1 || evs[0].Kind != hardware.KindError {
				t.Fatalf("events = %s, want one error", kinds(evs))
			}
			if !strings.Contains(evs[0].Error.Err, tt.wantErr) {
				t.Errorf("error %q does not mention %q", evs[0].Error.Err, tt.wantErr)
			}
			if string(evs[0].Error.Raw) != strings.TrimSpace(tt.line) {
				t.Errorf("raw = %q", evs[0].Error.Raw)
			}
			if d.Stats().Errors != 1 {
				t.Errorf("stats = %+v", d.Stats())
			}
		})
	}
}

func TestRegionAndPlateNormalisation(t *testing.T) {
	regions := map[string]string{
		"us-az": "US-AZ", " US-AZ ": "US-AZ", "mx_bcn": "MX-BCN", "us": "US", "ca-on": "CA-ON",
		"": "", "usa-az": "", "us-": "", "u1-az": "", "us-abcd": "", "us-a!": "", "üs-az": "",
	}
	for in, want := range regions {
		if got := normalizeRegion(in); got != want {
			t.Errorf("normalizeRegion(%q) = %q, want %q", in, got, want)
		}
	}
	plates := map[string]string{"abc 1234": "ABC1234", "7-ABC-123": "7ABC123", "a\tb": "AB", "ABC.123": "", "ＡＢＣ": ""}
	for in, want := range plates {
		got, err := normalizePlate(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("normalizePlate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestChunkedAndResync(t *testing.T) {
	d := NewDecoder(Options{MaxLine: 512})
	stream := "garbage{\r\n" + frameJSON(0, abc) + "\r\n" + strings.Repeat("x", 2000) + "\n" + frameJSON(time.Second, abc) + "\n"
	var evs []hardware.Event
	for i := 0; i < len(stream); i += 7 {
		evs = append(evs, d.Feed([]byte(stream[i:min(i+7, len(stream))]), t0)...)
	}
	if kinds(evs) != "error,plate,error,plate" {
		t.Fatalf("events = %s", kinds(evs))
	}
	if !strings.Contains(evs[2].Error.Err, "longer than 512") || len(evs[2].Error.Raw) > 512 {
		t.Errorf("overlong error = %q, %d raw bytes", evs[2].Error.Err, len(evs[2].Error.Raw))
	}
}

func TestIdleCompletesOrDiscards(t *testing.T) {
	d := NewDecoder(Options{})
	// A reader that never sends the final newline: decoded after the timeout.
	d.Feed([]byte(frameJSON(0, abc)), t0)
	if evs := d.Idle(t0.Add(100 * time.Millisecond)); len(evs) != 0 {
		t.Fatalf("decoded before the timeout: %s", kinds(evs))
	}
	if evs := d.Idle(t0.Add(1500 * time.Millisecond)); kinds(evs) != "plate" {
		t.Fatalf("events = %s, want plate", kinds(evs))
	}
	// A truncated frame followed by silence is an error, and the next frame
	// after it is not glued to it.
	d.Feed([]byte(frameJSON(0, abc)[:50]), t0.Add(2*time.Second))
	if evs := d.Idle(t0.Add(4 * time.Second)); kinds(evs) != "error" {
		t.Fatalf("events = %s, want error", kinds(evs))
	}
	if evs := d.Feed([]byte(frameJSON(4*time.Second, abc)+"\n"), t0.Add(4*time.Second)); kinds(evs) != "plate" {
		t.Fatalf("events = %s, want plate", kinds(evs))
	}
}

func TestCandidatesBounded(t *testing.T) {
	var c []string
	for i := range 50 {
		c = append(c, fmt.Sprintf(`{"plate":"P%02d","confidence":%d}`, i, i))
	}
	line := frameJSON(0, `{"plate":"P49","confidence":49,"candidates":[`+strings.Join(c, ",")+`]}`)
	evs := NewDecoder(Options{MaxCandidates: 5}).Feed([]byte(line+"\n"), t0)
	if kinds(evs) != "plate" {
		t.Fatalf("events = %s", kinds(evs))
	}
	got := evs[0].Plate.Candidates
	if len(got) != 5 || got[0].Plate != "P49" || got[4].Plate != "P45" {
		t.Errorf("candidates = %+v", got)
	}
}

func TestFlushAndFrames(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte(`{"data_type":"heartbeat"}`+"\n"+frameJSON(0, "")+"\n"+frameJSON(0, abc)+"\n"), t0)
	if d.Frames() != 3 {
		t.Errorf("frames = %d, want 3", d.Frames())
	}
	d.Feed([]byte(frameJSON(0, abc)[:30]), t0)
	if evs := d.Flush(t0); kinds(evs) != "error" {
		t.Fatalf("flush of a truncated frame = %s", kinds(evs))
	}
	d.Feed([]byte(frameJSON(0, abc)), t0)
	if evs := d.Flush(t0); kinds(evs) != "plate" {
		t.Fatalf("flush of a complete frame = %s", kinds(evs))
	}
	if evs := d.Flush(t0); len(evs) != 0 {
		t.Fatalf("empty flush = %s", kinds(evs))
	}
}
