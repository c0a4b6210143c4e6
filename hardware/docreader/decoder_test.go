package docreader

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// ICAO 9303 specimens (testdata/mrz-specimens.jsonl).
var (
	td3 = []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	td2 = []string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}
	td1 = []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
)

var t0 = time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)

// framed builds STX lines ETX [BCC].
func framed(lines []string, withBCC bool) []byte {
	var b bytes.Buffer
	b.WriteByte(stx)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\r')
	}
	b.WriteByte(etx)
	if withBCC {
		b.WriteByte(bccOf(b.Bytes()[1:]))
	}
	return b.Bytes()
}

func bccOf(p []byte) byte {
	var x byte
	for _, c := range p {
		x ^= c
	}
	return x
}

// run feeds chunks 1 ms apart and then lets the line go idle.
func run(d *Decoder, chunks ...[]byte) []hardware.Event {
	var evs []hardware.Event
	now := t0
	for _, c := range chunks {
		evs = append(evs, d.Feed(c, now)...)
		now = now.Add(time.Millisecond)
	}
	evs = append(evs, d.Idle(now.Add(time.Second))...)
	return evs
}

// kinds summarises events as "document:TD3", "error".
func kinds(evs []hardware.Event) string {
	var s []string
	for _, e := range evs {
		k := string(e.Kind)
		if e.Kind == hardware.KindDocument {
			k += ":" + string(e.Document.MRZ.Format)
		}
		s = append(s, k)
	}
	return strings.Join(s, " ")
}

func crlf(lines []string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

func TestDecoderReads(t *testing.T) {
	latin1 := []byte(strings.ReplaceAll(td3[0], "<", "\xab"))
	tests := []struct {
		name   string
		opts   Options
		chunks [][]byte
		want   string
	}{
		{"TD3 CRLF", Options{}, [][]byte{crlf(td3)}, "document:TD3"},
		{"TD3 CR", Options{}, [][]byte{[]byte(td3[0] + "\r" + td3[1] + "\r")}, "document:TD3"},
		{"TD3 LF", Options{}, [][]byte{[]byte(td3[0] + "\n" + td3[1] + "\n")}, "document:TD3"},
		{"TD2", Options{}, [][]byte{crlf(td2)}, "document:TD2"},
		{"TD1", Options{}, [][]byte{crlf(td1)}, "document:TD1"},
		{"two reads back to back", Options{}, [][]byte{crlf(td3), crlf(td1)}, "document:TD3 document:TD1"},
		{"lower case and stray spaces", Options{}, [][]byte{crlf([]string{" " + strings.ToLower(td3[0]), "L898 902C3 6UTO7408122F1204159ZE184226B<<<<<10 "})}, "document:TD3"},
		{"UTF-8 guillemets", Options{}, [][]byte{crlf([]string{strings.ReplaceAll(td3[0], "<", "«"), td3[1]})}, "document:TD3"},
		{"Latin-1 guillemets", Options{}, [][]byte{append(append(latin1, "\r\n"...), crlf(td3[1:])...)}, "document:TD3"},
		{"underscore filler", Options{}, [][]byte{crlf([]string{strings.ReplaceAll(td3[0], "<", "_"), td3[1]})}, "document:TD3"},
		{"underscore padding past 44", Options{}, [][]byte{crlf([]string{td3[0] + "______", td3[1] + "__"})}, "document:TD3"},
		{"empty leading lines", Options{}, [][]byte{[]byte("\r\n\r\n"), crlf(td3)}, "document:TD3"},
		{"byte by byte", Options{}, split(crlf(td1), 1), "document:TD1"},
		{"unterminated last line at idle", Options{}, [][]byte{[]byte(td3[0] + "\r\n" + td3[1])}, "document:TD3"},
		{"missing row is unreadable", Options{}, [][]byte{[]byte("\r\n" + td1[1] + "\r\n" + td1[2] + "\r\n")}, "error"},
		{"garbage line at idle", Options{}, [][]byte{[]byte("#@!garbage\r\n")}, "error"},
		{"garbage then document", Options{}, [][]byte{[]byte("NOISE\r\n"), crlf(td3)}, "error document:TD3"},
		{"short line then document", Options{}, [][]byte{[]byte(td3[0][:40] + "\r\n"), crlf(td3)}, "error document:TD3"},
		{"overlong line then document", Options{}, [][]byte{bytes.Repeat([]byte("A"), 1000), []byte("\r\n"), crlf(td3)}, "error document:TD3"},
		{"too many lines", Options{MaxLines: 4}, [][]byte{[]byte("A\rB\rC\rD\r")}, "error"},
		{"check digit mismatch is a document", Options{}, [][]byte{crlf([]string{td3[0], strings.Replace(td3[1], "C36", "C37", 1)})}, "document:TD3"},
		{"framed, no BCC (off)", Options{BCC: BCCOff}, [][]byte{framed(td3, false)}, "document:TD3"},
		{"framed, BCC (on)", Options{BCC: BCCOn}, [][]byte{framed(td3, true)}, "document:TD3"},
		{"framed, bad BCC (on)", Options{BCC: BCCOn}, [][]byte{append(framed(td3, false), 0x00)}, "error"},
		{"framed, missing BCC (on)", Options{BCC: BCCOn}, [][]byte{framed(td3, false)}, "error"},
		{"framed, BCC (auto)", Options{}, [][]byte{framed(td3, true), framed(td1, true)}, "document:TD3 document:TD1"},
		{"framed, no BCC (auto)", Options{}, [][]byte{framed(td3, false), []byte("\r\n"), framed(td1, false)}, "document:TD3 document:TD1"},
		{"framed, bad BCC (auto)", Options{}, [][]byte{framed(td3, true), append(framed(td1, false), 'Z')}, "document:TD3 error"},
		{"SOH header", Options{BCC: BCCOn}, [][]byte{append([]byte("\x01RDR01 v2.3"), framed(td2, true)...)}, "document:TD2"},
		{"header too long", Options{}, [][]byte{append([]byte{soh}, bytes.Repeat([]byte("h"), 100)...), framed(td3, false)}, "error document:TD3"},
		{"frame without ETX at idle", Options{}, [][]byte{[]byte("\x02" + td3[0] + "\r")}, "error"},
		{"frame restarted", Options{BCC: BCCOff}, [][]byte{[]byte("\x02" + td3[0] + "\r"), framed(td3, false)}, "error document:TD3"},
		{"framed non-MRZ", Options{BCC: BCCOff}, [][]byte{framed([]string{"HELLO"}, false)}, "error"},
		{"framed overlong line", Options{BCC: BCCOff}, [][]byte{framed([]string{strings.Repeat("X", 300)}, false), framed(td3, false)}, "error document:TD3"},
		{"plain lines cut by frame", Options{BCC: BCCOff}, [][]byte{[]byte(td3[0] + "\r\n"), framed(td3, false)}, "error document:TD3"},
		{"empty frame", Options{BCC: BCCOff}, [][]byte{{stx, etx}}, "error"},
		{"only empty lines", Options{}, [][]byte{[]byte("\r\n\r\n\n\r")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := kinds(run(NewDecoder(tc.opts), tc.chunks...))
			if got != tc.want {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
		})
	}
}

func split(p []byte, n int) [][]byte {
	var out [][]byte
	for len(p) > n {
		out = append(out, p[:n])
		p = p[n:]
	}
	return append(out, p)
}

func TestDocumentEventContent(t *testing.T) {
	d := NewDecoder(Options{})
	evs := run(d, []byte(strings.ToLower(td3[0])+"\r\n"+td3[1]+"\r\n"))
	if len(evs) != 1 || evs[0].Kind != hardware.KindDocument {
		t.Fatalf("events = %q", kinds(evs))
	}
	ev := evs[0]
	if ev.Device != hardware.DeviceDoc || !ev.At.Equal(t0) {
		t.Errorf("device %q at %v", ev.Device, ev.At)
	}
	r := ev.Document.MRZ
	if !r.Valid || r.DocumentNumber != "L898902C3" || r.Surname != "ERIKSSON" || r.GivenNames != "ANNA MARIA" {
		t.Errorf("mrz = %+v", r)
	}
	if want := []string{strings.ToLower(td3[0]), td3[1]}; strings.Join(ev.Document.Raw, "|") != strings.Join(want, "|") {
		t.Errorf("raw = %q, want the lines as read %q", ev.Document.Raw, want)
	}
	if d.Frames() != 1 {
		t.Errorf("Frames() = %d", d.Frames())
	}
}

func TestCheckDigitMismatchIsInvalidDocument(t *testing.T) {
	evs := run(NewDecoder(Options{}), crlf([]string{td3[0], strings.Replace(td3[1], "C36", "C37", 1)}))
	if len(evs) != 1 || evs[0].Kind != hardware.KindDocument {
		t.Fatalf("events = %q", kinds(evs))
	}
	if r := evs[0].Document.MRZ; r.Valid || r.Checks.DocumentNumber == nil || *r.Checks.DocumentNumber {
		t.Errorf("mrz = %+v, want invalid document number check", r)
	}
}

func TestErrorEventCarriesRaw(t *testing.T) {
	evs := run(NewDecoder(Options{}), []byte("P<UTO BROKEN\r\n"))
	if len(evs) != 1 || evs[0].Kind != hardware.KindError {
		t.Fatalf("events = %q", kinds(evs))
	}
	if got := string(evs[0].Error.Raw); got != "P<UTO BROKEN" {
		t.Errorf("raw = %q", got)
	}
	if !strings.Contains(evs[0].Error.Err, "unreadable read") {
		t.Errorf("error = %q", evs[0].Error.Err)
	}
}

func TestBadBCCReportsBothValues(t *testing.T) {
	f := framed(td3, true)
	f[len(f)-1] ^= 0xFF
	evs := run(NewDecoder(Options{BCC: BCCOn}), f)
	if len(evs) != 1 || evs[0].Kind != hardware.KindError || !strings.Contains(evs[0].Error.Err, "bad BCC") {
		t.Fatalf("events = %+v", evs)
	}
	if !strings.Contains(string(evs[0].Error.Raw), td3[0]) {
		t.Errorf("raw = %q, want the frame", evs[0].Error.Raw)
	}
}

// A reader learned as "no BCC" that turns out to send one switches over
// without losing reads.
func TestAutoBCCRelearns(t *testing.T) {
	d := NewDecoder(Options{})
	// The first frame is followed by silence: learned "no BCC".
	evs := run(d, framed(td3, false))
	// Later frames carry a BCC: the byte after ETX equals it.
	now := t0.Add(5 * time.Second)
	for range 3 {
		evs = append(evs, d.Feed(framed(td1, true), now)...)
		now = now.Add(time.Millisecond)
	}
	evs = append(evs, d.Idle(now.Add(time.Second))...)
	if got, want := kinds(evs), "document:TD3 document:TD1 document:TD1 document:TD1"; got != want {
		t.Fatalf("events = %q, want %q", got, want)
	}
	if d.learned != bccPresent {
		t.Errorf("learned = %v, want present", d.learned)
	}
}

func TestIdleGapSplitsReads(t *testing.T) {
	d := NewDecoder(Options{IdleGap: 100 * time.Millisecond})
	var evs []hardware.Event
	evs = append(evs, d.Feed([]byte(td3[0]+"\r\n"), t0)...)
	// The second line comes after the gap: the first was a read of its own.
	evs = append(evs, d.Feed([]byte(td3[1]+"\r\n"), t0.Add(200*time.Millisecond))...)
	evs = append(evs, d.Idle(t0.Add(time.Second))...)
	if got := kinds(evs); got != "error error" {
		t.Errorf("events = %q, want two unreadable reads", got)
	}
	// Within the gap Idle does nothing.
	d = NewDecoder(Options{})
	d.Feed([]byte(td3[0]+"\r\n"), t0)
	if evs := d.Idle(t0.Add(100 * time.Millisecond)); len(evs) != 0 {
		t.Errorf("Idle inside the gap = %q", kinds(evs))
	}
	if evs := d.Feed([]byte(td3[1]+"\r\n"), t0.Add(120*time.Millisecond)); kinds(evs) != "document:TD3" {
		t.Errorf("read across a short pause = %q", kinds(evs))
	}
}

func TestFlushReportsPartialFrame(t *testing.T) {
	d := NewDecoder(Options{})
	d.Feed([]byte("\x02"+td3[0]+"\r"+td3[1][:10]), t0)
	evs := d.Flush(t0.Add(time.Millisecond))
	if len(evs) != 1 || evs[0].Kind != hardware.KindError || !strings.Contains(evs[0].Error.Err, "incomplete frame") {
		t.Fatalf("flush = %q", kinds(evs))
	}
	// The next connection starts clean.
	if got := kinds(run(d, crlf(td3))); got != "document:TD3" {
		t.Errorf("after flush = %q", got)
	}
}

func TestParseBCCMode(t *testing.T) {
	for in, want := range map[string]BCCMode{"auto": BCCAuto, "ON": BCCOn, " off ": BCCOff, "": BCCAuto} {
		got, err := ParseBCCMode(in)
		if err != nil || got != want {
			t.Errorf("ParseBCCMode(%q) = %v, %v", in, got, err)
		}
		if err == nil && got.String() != strings.ToLower(strings.TrimSpace(in)) && in != "" {
			t.Errorf("String() = %q", got.String())
		}
	}
	if _, err := ParseBCCMode("maybe"); err == nil {
		t.Error("ParseBCCMode(maybe) = nil error")
	}
}

func TestCleanLine(t *testing.T) {
	tests := map[string]string{
		"p<uto":          "P<UTO",
		" A B\tC ":       "ABC",
		"A«B\xabC":       "A<B<C",
		"A_B":            "A<B",
		"A\x00B":         "AB",
		"A\xffB":         "A?B",
		td3[0] + "____":  td3[0],
		td1[0] + "_":     td1[0],
		td2[0] + "_____": td2[0],
	}
	for in, want := range tests {
		if got := cleanLine([]byte(in)); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}
