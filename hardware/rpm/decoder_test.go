package rpm

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

var t0 = time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)

// step is one chunk fed to the decoder at t0+at; idle steps call Idle.
type step struct {
	at   time.Duration
	data string
	idle bool
}

// run feeds steps to a fresh decoder and returns every event.
func run(t testing.TB, opts Options, steps []step) []hardware.Event {
	t.Helper()
	d := NewDecoder(opts)
	var out []hardware.Event
	for _, s := range steps {
		if s.idle {
			out = append(out, d.Idle(t0.Add(s.at))...)
		} else {
			out = append(out, d.Feed([]byte(s.data), t0.Add(s.at))...)
		}
	}
	return out
}

// lines makes one step per line, 200 ms apart starting at start.
func lines(start time.Duration, ls ...string) []step {
	var s []step
	for i, l := range ls {
		s = append(s, step{at: start + time.Duration(i)*200*time.Millisecond, data: l + "\r\n"})
	}
	return s
}

func kinds(evs []hardware.Event) string {
	var k []string
	for _, e := range evs {
		k = append(k, string(e.Kind))
	}
	return strings.Join(k, ",")
}

func TestOccupancy(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  hardware.Occupancy
	}{
		{
			name: "clean vehicle",
			steps: lines(0,
				"GB,000100,000110,000120,000130",
				"NB,000001,000002,000001,000000",
				"SP,07.5",
				"GS,000123,000145,000130,000128",
				"NS,000001,000002,000001,000001",
				"GS,000200,000210,000190,000205",
				"GS,000150,000150,000150,000150",
				"GX,000042,000004500"),
			want: hardware.Occupancy{
				Occupancy: 42, Start: t0.Add(600 * time.Millisecond), End: t0.Add(1400 * time.Millisecond),
				MaxGamma: 805, MaxNeutron: 5, BackgroundGamma: 460, Speed: 7.5,
			},
		},
		{
			name: "gamma alarm, spaces and lower case, speed during occupancy in Rapiscan layout",
			steps: lines(0,
				"gb, 100, 100, 100, 100",
				"GS,000123,000145,000130,000128",
				"GA, 002000 ,002100,001900,001800",
				"SP,0.2237,12.25,19.71",
				"NS,1,1,1,1",
				"GX,7,4500,,,"),
			want: hardware.Occupancy{
				Occupancy: 7, Start: t0.Add(200 * time.Millisecond), End: t0.Add(time.Second),
				GammaAlarm: true, MaxGamma: 7800, MaxNeutron: 4, BackgroundGamma: 400, Speed: 12.25,
			},
		},
		{
			name: "neutron alarm starts the occupancy; stale speed ignored",
			steps: append([]step{{at: 0, data: "SP,30\n"}},
				lines(20*time.Second, "NA,000010,000012,000009,000011", "GS,1,2,3,4", "GX,8,4000")...),
			want: hardware.Occupancy{
				Occupancy: 8, Start: t0.Add(20 * time.Second), End: t0.Add(20*time.Second + 400*time.Millisecond),
				NeutronAlarm: true, MaxGamma: 10, MaxNeutron: 42,
			},
		},
		{
			name: "bytes split anywhere, LF and CR terminators",
			steps: []step{
				{at: 0, data: "GB,1,1,"}, {at: 10 * time.Millisecond, data: "1,1\rGS,5,5"},
				{at: 20 * time.Millisecond, data: ",5,5\n\nGX"}, {at: 30 * time.Millisecond, data: ",1,0\r"},
			},
			want: hardware.Occupancy{
				Occupancy: 1, Start: t0.Add(20 * time.Millisecond), End: t0.Add(30 * time.Millisecond),
				MaxGamma: 20, BackgroundGamma: 4,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := run(t, Options{}, tt.steps)
			if len(evs) != 1 || evs[0].Kind != hardware.KindOccupancy {
				t.Fatalf("events = %s (%+v), want one occupancy", kinds(evs), evs)
			}
			got := *evs[0].Occupancy
			if !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
				t.Errorf("start/end = %v/%v, want %v/%v", got.Start, got.End, tt.want.Start, tt.want.End)
			}
			got.Start, got.End = tt.want.Start, tt.want.End
			if got != tt.want {
				t.Errorf("occupancy = %+v\nwant        %+v", got, tt.want)
			}
			if !evs[0].At.Equal(tt.want.End) || evs[0].Device != hardware.DeviceRPM {
				t.Errorf("event at %v device %s, want %v rpm", evs[0].At, evs[0].Device, tt.want.End)
			}
		})
	}
}

func TestTwoOccupanciesAreIndependent(t *testing.T) {
	evs := run(t, Options{}, lines(0,
		"GB,10,10,10,10", "GA,900,900,900,900", "GX,1,0",
		"GB,20,20,20,20", "GS,30,30,30,30", "GX,2,0"))
	if kinds(evs) != "occupancy,occupancy" {
		t.Fatalf("events = %s", kinds(evs))
	}
	a, b := evs[0].Occupancy, evs[1].Occupancy
	if !a.GammaAlarm || a.MaxGamma != 3600 || a.BackgroundGamma != 40 {
		t.Errorf("first = %+v", a)
	}
	if b.GammaAlarm || b.MaxGamma != 120 || b.BackgroundGamma != 80 || b.Occupancy != 2 {
		t.Errorf("second carried state over: %+v", b)
	}
}

func TestFaultsAndTamper(t *testing.T) {
	evs := run(t, Options{}, lines(0,
		"GH,009000,009100,009050,009000",
		"GL",
		"NH,000050,000060,000055,000070",
		"TT", "TT", "TC", "TC", "TT"))
	if kinds(evs) != "fault,fault,fault,tamper,tamper,tamper" {
		t.Fatalf("events = %s", kinds(evs))
	}
	for i, code := range []string{"GH", "GL", "NH"} {
		if evs[i].Fault.Code != code || evs[i].Fault.Detail == "" {
			t.Errorf("fault %d = %+v, want %s", i, evs[i].Fault, code)
		}
	}
	for i, active := range []bool{true, false, true} {
		if evs[3+i].Tamper.Active != active {
			t.Errorf("tamper %d active = %v, want %v", i, evs[3+i].Tamper.Active, active)
		}
	}
}

func TestBadLines(t *testing.T) {
	tests := []struct {
		name, line, wantErr string
	}{
		{"unknown type", "ZZ,1,2", "unknown record type"},
		{"three panels", "GB,1,2,3", "want 4 panel counts"},
		{"five panels", "GS,1,2,3,4,5", "want 4 panel counts"},
		{"negative count", "GS,-1,2,3,4", "not a count"},
		{"hex count", "GS,0x10,2,3,4", "not a count"},
		{"huge count", "GS,99999999999,2,3,4", "too large"},
		{"empty count", "GB,1,,3,4", "empty number"},
		{"binary", "GS,1,2\x00,3,4", "non-printable"},
		{"no type", ",1,2,3,4", "no record type"},
		{"speed nan", "SP,NaN", "not a number"},
		{"speed inf", "SP,inf", "not a number"},
		{"speed negative", "SP,-3", "not a number"},
		{"speed absurd", "SP,900", "out of range"},
		{"speed two fields", "SP,1,2", "want SP"},
		{"GX no number", "GX", "without occupancy number"},
		{"GX bad number", "GX,abc,1", "occupancy number"},
		{"GX without occupancy", "GX,5,4000", "without scan samples"},
		{"fault with bad counts", "GH,1,2", "want 4 panel counts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := run(t, Options{}, []step{{data: tt.line + "\r\n"}})
			if len(evs) != 1 || evs[0].Kind != hardware.KindError {
				t.Fatalf("events = %s, want one error", kinds(evs))
			}
			if !strings.Contains(evs[0].Error.Err, tt.wantErr) {
				t.Errorf("error %q does not mention %q", evs[0].Error.Err, tt.wantErr)
			}
			if string(evs[0].Error.Raw) != tt.line {
				t.Errorf("raw = %q, want %q", evs[0].Error.Raw, tt.line)
			}
		})
	}
}

func TestSetupLinesIgnored(t *testing.T) {
	evs := run(t, Options{}, lines(0, "SG1,1,2,3", "SN2,x,y", "sg3"))
	if len(evs) != 0 {
		t.Fatalf("events = %s, want none", kinds(evs))
	}
}

func TestGarbageDoesNotBreakOccupancy(t *testing.T) {
	evs := run(t, Options{}, lines(0,
		"GB,1,1,1,1", "GS,5,5,5,5", "\x01\x02garbage", "GA,9,9,9,9", "GX,3,0"))
	if kinds(evs) != "error,occupancy" {
		t.Fatalf("events = %s", kinds(evs))
	}
	if o := evs[1].Occupancy; !o.GammaAlarm || o.MaxGamma != 36 || o.Occupancy != 3 {
		t.Errorf("occupancy = %+v", o)
	}
}

func TestOverlongLineResyncs(t *testing.T) {
	long := strings.Repeat("9", 1000)
	evs := run(t, Options{MaxLine: 64}, []step{
		{data: "GS," + long[:300]}, {at: 10 * time.Millisecond, data: long + ",1,1,1\r\nGS,1,1,1,1\r\n"},
		{at: 20 * time.Millisecond, data: "GX,4,0\r\n"},
	})
	if kinds(evs) != "error,occupancy" {
		t.Fatalf("events = %s", kinds(evs))
	}
	if len(evs[0].Error.Raw) != 64 || !strings.Contains(evs[0].Error.Err, "longer than 64") {
		t.Errorf("error = %q raw %d bytes", evs[0].Error.Err, len(evs[0].Error.Raw))
	}
	if evs[1].Occupancy.MaxGamma != 4 {
		t.Errorf("occupancy = %+v", evs[1].Occupancy)
	}
}

func TestPartialLineExpires(t *testing.T) {
	d := NewDecoder(Options{})
	if evs := d.Feed([]byte("GS,000123,000145,000130,0001"), t0); len(evs) != 0 {
		t.Fatalf("events = %s", kinds(evs))
	}
	if evs := d.Idle(t0.Add(500 * time.Millisecond)); len(evs) != 0 {
		t.Fatalf("expired too early: %s", kinds(evs))
	}
	evs := d.Idle(t0.Add(2 * time.Second))
	if kinds(evs) != "error" || !strings.Contains(evs[0].Error.Err, "incomplete line") {
		t.Fatalf("events = %+v", evs)
	}
	// The truncated sample must not have started an occupancy.
	if evs := d.Feed([]byte("GX,1,0\r\n"), t0.Add(3*time.Second)); kinds(evs) != "error" {
		t.Fatalf("GX after discarded partial: %s", kinds(evs))
	}
}

func TestIncompleteOccupancy(t *testing.T) {
	tests := []struct {
		name    string
		steps   []step
		want    string // kinds
		wantErr []string
		// wantAlarm: the incomplete occupancy still carries its alarm.
		wantAlarm bool
	}{
		{
			name: "samples stop, idle reports it",
			steps: append(lines(0, "GB,1,1,1,1", "GA,50,50,50,50", "NA,5,5,5,5"),
				step{at: 3 * time.Second, idle: true}, step{at: 6 * time.Second, idle: true}),
			want:      "error,occupancy",
			wantErr:   []string{"ended without GX", "no scan sample", "GAMMA AND NEUTRON ALARM"},
			wantAlarm: true,
		},
		{
			name: "samples stop, late GX is an error too",
			steps: append(lines(0, "GS,1,1,1,1"),
				step{at: 10 * time.Second, data: "GX,9,0\r\n"}),
			want:    "error,occupancy,error",
			wantErr: []string{"ended without GX", "without scan samples"},
		},
		{
			name:    "runs too long, then a fresh occupancy",
			steps:   append(samples(0, 70*time.Second, "GS,1,1,1,1"), step{at: 70 * time.Second, data: "GX,2,0\r\n"}),
			want:    "error,occupancy,occupancy",
			wantErr: []string{"longer than 1m0s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := run(t, Options{}, tt.steps)
			if kinds(evs) != tt.want {
				t.Fatalf("events = %s, want %s", kinds(evs), tt.want)
			}
			var all string
			for i, e := range evs {
				if e.Error != nil {
					all += e.Error.Err + "\n"
				}
				if e.Occupancy != nil && i == 1 {
					if o := e.Occupancy; !o.Incomplete || o.Occupancy != 0 || o.GammaAlarm != tt.wantAlarm || o.NeutronAlarm != tt.wantAlarm {
						t.Errorf("incomplete occupancy %+v, want alarm=%v", o, tt.wantAlarm)
					}
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(all, w) {
					t.Errorf("errors %q do not mention %q", all, w)
				}
			}
		})
	}
}

// samples emits line every 200 ms from start until end.
func samples(start, end time.Duration, line string) []step {
	var s []step
	for at := start; at < end; at += 200 * time.Millisecond {
		s = append(s, step{at: at, data: line + "\r\n"})
	}
	return s
}

func TestStats(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte("GB,1,1,1,1\r\nbad\r\nGB,2,2,2,2\r\n"), t0)
	st := d.Stats()
	if st.Lines != 2 || st.Errors != 1 || !st.LastLine.Equal(t0) {
		t.Errorf("stats = %+v", st)
	}
}

func TestFlushAndFrames(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte("GB,1,1,1,1\r\nNB,0,0,0,0\r\nGS,5,5,5,5\r\nGS,6,6"), t0)
	if d.Frames() != 3 {
		t.Errorf("frames = %d, want 3", d.Frames())
	}
	evs := d.Flush(t0.Add(time.Second))
	if kinds(evs) != "error" || string(evs[0].Error.Raw) != "GS,6,6" || !strings.Contains(evs[0].Error.Err, "connection dropped") {
		t.Fatalf("flush = %+v", evs)
	}
	if evs := d.Flush(t0.Add(time.Second)); len(evs) != 0 {
		t.Fatalf("second flush = %s", kinds(evs))
	}
	// After a quick reconnect the occupancy in progress still completes.
	evs = d.Feed([]byte(",6,6\r\nGS,7,7,7,7\r\nGX,12,0\r\n"), t0.Add(2*time.Second))
	if kinds(evs) != "error,occupancy" || evs[1].Occupancy.MaxGamma != 28 || evs[1].Occupancy.Occupancy != 12 {
		t.Fatalf("after reconnect = %s %+v", kinds(evs), evs)
	}
}
