package docreader_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/docreader"
	"github.com/portofentry/booth/hardware/internal/ptytest"
)

var (
	td3 = []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	td1 = []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
)

const wait = 5 * time.Second

// quiet is longer than the idle gap plus a read timeout, so that every
// idle-gap verdict is in once the stream has been quiet this long.
const quiet = 600 * time.Millisecond

func plain(lines []string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

func framed(lines []string, withBCC bool) []byte {
	var b bytes.Buffer
	b.WriteString("\x01HDR")
	b.WriteByte(0x02)
	for _, l := range lines {
		b.WriteString(l + "\r")
	}
	b.WriteByte(0x03)
	if withBCC {
		var x byte
		for _, c := range b.Bytes()[bytes.IndexByte(b.Bytes(), 0x02)+1:] {
			x ^= c
		}
		b.WriteByte(x)
	}
	return b.Bytes()
}

// startPort runs a document reader on a fresh pty until the test ends.
func startPort(t testing.TB, opts docreader.Options) (*ptytest.Device, <-chan hardware.Event, *hardware.Port) {
	t.Helper()
	return ptytest.StartPort(t, hardware.DeviceDoc, "usb-doc-reader", docreader.NewDecoder(opts))
}

func kinds(evs []hardware.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Kind))
	}
	return strings.Join(s, " ")
}

// Every bad input of docs/design.md §3.1 and §3.2 through a real pty: the driver reports it
// and the next good read still comes through.
func TestBadInputThroughPTY(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 64<<10)
	for i := range noise {
		noise[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name string
		opts docreader.Options
		in   []byte
		want string // kinds, "" to only require no document
	}{
		{"garbage line", docreader.Options{}, []byte("#!garbage!#\r\n"), "error"},
		{"garbage without line end", docreader.Options{}, []byte("\x7f\x80\x81 zzz"), "error"},
		{"partial frame", docreader.Options{}, []byte("\x02" + td3[0] + "\r" + td3[1][:20]), "error"},
		{"header only", docreader.Options{}, []byte("\x01HEADER"), "error"},
		{"bad BCC", docreader.Options{BCC: docreader.BCCOn}, append(framed(td3, false), 'Z'), "error"},
		{"missing BCC", docreader.Options{BCC: docreader.BCCOn}, framed(td3, false), "error"},
		{"overlong line", docreader.Options{}, append(bytes.Repeat([]byte("P<"), 5000), "\r\n"...), "error"},
		{"half a read", docreader.Options{}, plain(td3[:1]), "error"},
		{"missing row", docreader.Options{}, []byte("\r\n" + td1[1] + "\r\n" + td1[2] + "\r\n"), "error"},
		{"flood of noise", docreader.Options{}, noise, ""},
		{"flood of lines", docreader.Options{}, bytes.Repeat([]byte("NOT AN MRZ LINE\r\n"), 4000), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own pty
			dev, out, port := startPort(t, tc.opts)
			go dev.Write(t, tc.in)
			evs := ptytest.Collect(out, quiet)
			if tc.want != "" && kinds(evs) != tc.want {
				t.Errorf("events = %s", ptytest.Describe(evs))
			}
			for _, ev := range evs {
				if ev.Kind != hardware.KindError {
					t.Errorf("bad input gave %s", ptytest.Describe([]hardware.Event{ev}))
				}
				if ev.Kind == hardware.KindError && len(ev.Error.Raw) > 8*257 {
					t.Errorf("error raw of %d bytes is not bounded", len(ev.Error.Raw))
				}
			}
			// The stream resynchronises: a good read decodes.
			good := plain(td3)
			if tc.opts.BCC == docreader.BCCOn {
				good = framed(td3, true)
			}
			dev.Write(t, good)
			ev, skipped := ptytest.WaitFor(t, out, wait, ptytest.Kind(hardware.KindDocument))
			if len(skipped) != 0 || !ev.Document.MRZ.Valid {
				t.Errorf("good read after bad input: %s, skipped %s", ptytest.Describe([]hardware.Event{ev}), ptytest.Describe(skipped))
			}
			if h := port.Health(); h.Errors == 0 || h.Frames != 1 || h.State != hardware.HealthConnected {
				t.Errorf("health = %+v", h)
			}
		})
	}
}

// Reader quirks through a real pty: each one is still a valid document.
func TestQuirksThroughPTY(t *testing.T) {
	dev, out, _ := startPort(t, docreader.Options{})
	inputs := map[string][]byte{
		"lower case":    []byte(strings.ToLower(td3[0]) + "\r\n" + strings.ToLower(td3[1]) + "\r\n"),
		"stray spaces":  []byte(" " + td3[0][:10] + " " + td3[0][10:] + "\r\n" + td3[1] + " \r\n"),
		"guillemets":    []byte(strings.ReplaceAll(td3[0], "<", "«") + "\r\n" + strings.ReplaceAll(td3[1], "<", "\xab") + "\r\n"),
		"underscores":   []byte(strings.ReplaceAll(td3[0], "<", "_") + "___\r\n" + td3[1] + "\r\n"),
		"empty leading": []byte("\r\n\r\n" + td3[0] + "\r\n" + td3[1] + "\r\n"),
		"LF only":       []byte(td3[0] + "\n" + td3[1] + "\n"),
		"CR only":       []byte(td3[0] + "\r" + td3[1] + "\r"),
		"framed auto":   framed(td1, true),
	}
	for name, in := range inputs {
		dev.Write(t, in)
		ev, skipped := ptytest.WaitFor(t, out, wait, ptytest.Kind(hardware.KindDocument))
		if len(skipped) != 0 || !ev.Document.MRZ.Valid {
			t.Errorf("%s: %s, skipped %s", name, ptytest.Describe([]hardware.Event{ev}), ptytest.Describe(skipped))
		}
	}
}

// A read cut by an unplug is reported, not glued to the next connection.
func TestPartialReadAtUnplug(t *testing.T) {
	dev, out, _ := startPort(t, docreader.Options{IdleGap: 10 * time.Second})
	dev.Write(t, []byte("\x02"+td3[0]+"\r"))
	time.Sleep(200 * time.Millisecond)
	dev.Unplug()
	ev, _ := ptytest.WaitFor(t, out, wait, ptytest.Kind(hardware.KindError))
	if !strings.Contains(ev.Error.Err, "incomplete frame") {
		t.Errorf("error = %q", ev.Error.Err)
	}
	ptytest.WaitFor(t, out, wait, ptytest.State(hardware.StateDisconnected))
	dev.Replug(t)
	ptytest.WaitFor(t, out, wait, ptytest.State(hardware.StateConnected))
	dev.Write(t, plain(td3))
	ev, skipped := ptytest.WaitFor(t, out, wait, ptytest.Kind(hardware.KindDocument))
	if len(skipped) != 0 || !ev.Document.MRZ.Valid {
		t.Errorf("after replug: %s, skipped %s", ptytest.Describe([]hardware.Event{ev}), ptytest.Describe(skipped))
	}
}
