package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

const quiet = 300 * time.Millisecond

// play runs a one-step scenario.
func play(t *testing.T, s *Sim, st Step) {
	t.Helper()
	if err := s.Play(context.Background(), Scenario{Name: t.Name(), Steps: []Step{st}}); err != nil {
		t.Fatalf("Play: %v", err)
	}
}

func concat(ems []emission) []byte {
	var b []byte
	for _, e := range ems {
		b = append(b, e.bytesAt(time.Now())...)
	}
	return b
}

// Each step type's bytes reach a tarm/serial reader of the pty exactly as
// encoded: CR, LF, STX, ETX, SOH, BCC and UTF-8 pass unaltered.
func TestStepBytesArriveExactly(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	paths := s.Paths()
	rfid := RFIDStep{Tags: []TagRead{{EPC: "E2003411B802011516121234", Antenna: 1, RSSI: -52}, {EPC: "e2003411b802011516125678", RSSI: -61}}, Repeat: 3}
	rpm := RPMStep{Occupancy: 77, Samples: 9, GammaAlarm: true, NeutronAlarm: true, Speed: 3.5}
	docLines := goodDocLines()
	tests := []struct {
		name string
		dev  hardware.Device
		path string
		step Step
		want []byte
	}{
		{"rfid csv", hardware.DeviceRFID, paths.RFID, Step{RFID: &rfid}, concat(rfid.emissions())},
		{"doc plain crlf", hardware.DeviceDoc, paths.Doc, Step{Doc: &DocStep{Lines: docLines}}, []byte(docLines[0] + "\r\n" + docLines[1] + "\r\n")},
		{"doc plain cr", hardware.DeviceDoc, paths.Doc, Step{Doc: &DocStep{Lines: docLines, Terminator: "cr"}}, []byte(docLines[0] + "\r" + docLines[1] + "\r")},
		{"doc stx", hardware.DeviceDoc, paths.Doc, Step{Doc: &DocStep{Lines: docLines, Framing: "stx"}}, []byte("\x02" + docLines[0] + "\r" + docLines[1] + "\r\x03")},
		{"doc stx-bcc header", hardware.DeviceDoc, paths.Doc, Step{Doc: &DocStep{Lines: docLines, Framing: "stx-bcc", Header: "DR1"}},
			append([]byte("\x01DR1\x02"+docLines[0]+"\r"+docLines[1]+"\r\x03"), BCC([]byte(docLines[0]+"\r"+docLines[1]+"\r\x03")))},
		{"doc quirks chunked", hardware.DeviceDoc, paths.Doc, Step{Doc: &DocStep{Lines: docLines, Quirks: []string{"blank-first", "lower", "guillemet", "spaces"}, Chunk: 7}},
			EncodeDocRead(DocStep{Lines: docLines, Quirks: []string{"blank-first", "lower", "guillemet", "spaces"}})},
		{"rpm occupancy", hardware.DeviceRPM, paths.RPM, Step{RPM: &rpm}, concat(rpm.emissions())},
		{"rpm tamper", hardware.DeviceRPM, paths.RPM, Step{RPMStatus: &RPMStatusStep{Code: "TT"}}, []byte("TT\r\n")},
		{"garbage", hardware.DeviceDoc, paths.Doc, Step{Fault: &FaultStep{Kind: FaultGarbage, Device: "doc"}},
			concat((&FaultStep{Kind: FaultGarbage, Device: "doc"}).emissions(rand.New(rand.NewPCG(42, 0xdef5))))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := openSerial(t, tt.path)
			play(t, s, tt.step)
			got := readAll(t, p, len(tt.want)+1, quiet)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRFIDTagFormOnTheWire(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	p := openSerial(t, s.Paths().RFID)
	play(t, s, Step{RFID: &RFIDStep{Format: "tag", Repeat: 3, Tags: []TagRead{{EPC: "E2003411B802011516121234", Antenna: 2, RSSI: -52}}}})
	got := readAll(t, p, 1<<20, quiet)
	re := regexp.MustCompile(`^Tag:E200 3411 B802 0115 1612 1234, Disc:(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d), Last:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d, Count:(\d), Ant:2, RSSI:-52$`)
	lines := bytes.Split(bytes.TrimSuffix(got, []byte("\r\n")), []byte("\r\n"))
	if len(lines) != 3 {
		t.Fatalf("got %d lines %q, want 3", len(lines), got)
	}
	for i, l := range lines {
		m := re.FindSubmatch(l)
		if m == nil {
			t.Fatalf("line %q does not match the tag form", l)
		}
		if string(m[2]) != string(rune('1'+i)) {
			t.Errorf("line %d count %s", i, m[2])
		}
	}
}

func TestPlateLineOnTheWire(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	p := openSerial(t, s.Paths().LPR)
	play(t, s, Step{Plate: &PlateStep{Plate: "8XKR442", Region: "US-TX", Confidence: 61.5,
		Candidates: []Candidate{{"8XKR442", 61.5}, {"BXKR442", 58.2}}, Age: Duration(time.Minute)}})
	got := readAll(t, p, 1<<20, quiet)
	if !bytes.HasSuffix(got, []byte("}\n")) || bytes.Count(got, []byte("\n")) != 1 {
		t.Fatalf("not one JSON line: %q", got)
	}
	var obj struct {
		DataType  string `json:"data_type"`
		EpochTime int64  `json:"epoch_time"`
		CameraID  string `json:"camera_id"`
		Results   []struct {
			Plate      string      `json:"plate"`
			Confidence float64     `json:"confidence"`
			Region     string      `json:"region"`
			Candidates []Candidate `json:"candidates"`
		} `json:"results"`
	}
	if err := json.Unmarshal(got, &obj); err != nil {
		t.Fatal(err)
	}
	if obj.DataType != "alpr_results" || obj.CameraID != defaultCameraID || len(obj.Results) != 1 {
		t.Fatalf("envelope %+v", obj)
	}
	r := obj.Results[0]
	if r.Plate != "8XKR442" || r.Region != "us-tx" || r.Confidence != 61.5 || len(r.Candidates) != 2 || r.Candidates[1].Plate != "BXKR442" {
		t.Errorf("result %+v", r)
	}
	if age := time.Since(time.UnixMilli(obj.EpochTime)); age < 50*time.Second {
		t.Errorf("epoch_time only %s old, want about a minute (stale read)", age)
	}
}

func TestFloodAndBadBCC(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	t.Run("flood", func(t *testing.T) {
		p := openSerial(t, s.Paths().RFID)
		play(t, s, Step{Fault: &FaultStep{Kind: FaultFlood, Duration: Duration(time.Second)}})
		got := readAll(t, p, 1<<20, quiet)
		want := bytes.Repeat(RFIDCSVLine(floodTag), floodRate) // 200 reads in one second
		if !bytes.Equal(got, want) {
			t.Errorf("got %d bytes (%d lines), want %d lines", len(got), bytes.Count(got, []byte("\n")), floodRate)
		}
	})
	t.Run("bad-bcc", func(t *testing.T) {
		p := openSerial(t, s.Paths().Doc)
		play(t, s, Step{Fault: &FaultStep{Kind: FaultBadBCC}})
		got := readAll(t, p, 1<<20, quiet)
		etx := bytes.IndexByte(got, 0x03)
		if got[0] != 0x02 || etx != len(got)-2 {
			t.Fatalf("not an STX…ETX BCC frame: %q", got)
		}
		if BCC(got[1:etx+1]) == got[len(got)-1] {
			t.Errorf("BCC is right, want it wrong")
		}
	})
	t.Run("partial then good", func(t *testing.T) {
		p := openSerial(t, s.Paths().RFID)
		play(t, s, Step{Fault: &FaultStep{Kind: FaultPartial, Device: "rfid"}})
		got := readAll(t, p, 1<<20, quiet)
		good := RFIDCSVLine(goodTag)
		if !bytes.HasSuffix(got, good) || len(got) >= 2*len(good) {
			t.Errorf("want a truncated line then %q, got %q", good, got)
		}
	})
	t.Run("overlong", func(t *testing.T) {
		p := openSerial(t, s.Paths().RPM)
		play(t, s, Step{Fault: &FaultStep{Kind: FaultOverlong, Device: "rpm"}})
		got := readAll(t, p, 1<<20, quiet)
		first := bytes.IndexByte(got, '\n')
		if first != 10*1024+1 {
			t.Errorf("first line is %d bytes, want 10 KB + CRLF", first+1)
		}
	})
}

// Without Quiet, idle devices talk: RFID heartbeats and RPM background.
func TestIdleTraffic(t *testing.T) {
	s := startSim(t, Options{Speed: 20})
	rfid := openSerial(t, s.Paths().RFID)
	rpm := openSerial(t, s.Paths().RPM)
	got := readAll(t, rfid, len(RFIDHeartbeat), 2*time.Second)
	if string(got) != RFIDHeartbeat {
		t.Errorf("rfid idle: %q, want %q", got, RFIDHeartbeat)
	}
	pair := regexp.MustCompile(`^GB,\d+,\d+,\d+,\d+\r\nNB,\d+,\d+,\d+,\d+\r\n`)
	got = readUntil(t, rpm, func(b []byte) bool { return bytes.Count(b, []byte("\n")) >= 2 }, 5*time.Second)
	if !pair.Match(got) {
		t.Errorf("rpm idle: %q, want GB and NB lines", got)
	}
}

// An RPM alarm passes through GS, GA and back, then SP and GX.
func TestRPMOccupancyShape(t *testing.T) {
	r := RPMStep{Occupancy: 4321, Samples: 9, GammaAlarm: true, Speed: 4.2, Background: 250, Peak: 900}
	lines := bytes.Split(bytes.TrimSuffix(concat(r.emissions()), []byte("\r\n")), []byte("\r\n"))
	var codes []string
	for _, l := range lines {
		codes = append(codes, string(bytes.SplitN(l, []byte(","), 2)[0]))
	}
	want := "GS NS GS NS GS NS GA NS GA NS GA NS GS NS GS NS GS NS SP GX"
	if got := join(codes); got != want {
		t.Errorf("codes %s\nwant  %s", got, want)
	}
	if tail := string(lines[len(lines)-2]) + " " + string(lines[len(lines)-1]); tail != "SP,4.2 GX,4321,1200" {
		t.Errorf("end of occupancy %q", tail)
	}
	// The peak sample reaches Peak, the others stay well below.
	if !bytes.Contains(lines[8], []byte("GA,")) {
		t.Fatalf("middle sample %q", lines[8])
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for i, v := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v)
	}
	return b.String()
}
