package docreader

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// FuzzDocDecoder feeds arbitrary bytes in arbitrary chunks with arbitrary
// pauses: the decoder must not panic, must keep its buffers bounded and must
// only emit well-formed document or error events.
func FuzzDocDecoder(f *testing.F) {
	f.Add(crlf(td3), []byte{3, 200, 1}, uint8(0))
	f.Add(crlf(td1), []byte{1}, uint8(1))
	f.Add(framed(td3, true), []byte{7, 0, 250}, uint8(1))
	f.Add(framed(td2, false), []byte{50}, uint8(2))
	f.Add(append([]byte("\x01HDR"), framed(td1, true)...), []byte{2, 2, 2}, uint8(0))
	f.Add([]byte("\x02\x02\x03\x03\x01\x01\r\n\r\n\xab\xc2\xab___"), []byte{1}, uint8(0))
	f.Add([]byte(strings.Repeat("P<", 300)+"\r\n"), []byte{64}, uint8(0))
	f.Add([]byte(strings.ToLower(td3[0])+"\r"+td3[1]), []byte{9, 255}, uint8(0))
	f.Fuzz(func(t *testing.T, data, cuts []byte, mode uint8) {
		opts := Options{BCC: BCCMode(mode % 3), MaxLineLen: 64, MaxLines: 4, MaxHeader: 16}
		d := NewDecoder(opts)
		maxRaw := (opts.MaxLines + 1) * (opts.MaxLineLen + 1)
		check := func(evs []hardware.Event) {
			for _, ev := range evs {
				switch ev.Kind {
				case hardware.KindDocument:
					if ev.Document == nil || ev.Document.MRZ == nil || len(ev.Document.Raw) == 0 || len(ev.Document.Raw) > 3 {
						t.Fatalf("bad document event %+v", ev.Document)
					}
				case hardware.KindError:
					if ev.Error == nil || ev.Error.Err == "" || len(ev.Error.Raw) > maxRaw {
						t.Fatalf("bad error event %+v", ev.Error)
					}
				default:
					t.Fatalf("unexpected kind %q", ev.Kind)
				}
				if ev.Device != hardware.DeviceDoc {
					t.Fatalf("device %q", ev.Device)
				}
			}
			if len(d.line) > opts.MaxLineLen || len(d.lines) > opts.MaxLines || len(d.frame) > opts.MaxLines {
				t.Fatalf("unbounded: line %d, lines %d, frame %d", len(d.line), len(d.lines), len(d.frame))
			}
		}
		now := t0
		for i := 0; len(data) > 0; i++ {
			n := len(data)
			if len(cuts) > 0 {
				n = min(int(cuts[i%len(cuts)])+1, len(data))
				// The cut byte's high bit means "pause past the idle gap".
				if cuts[i%len(cuts)]&0x80 != 0 {
					now = now.Add(time.Second)
					check(d.Idle(now))
				}
			}
			check(d.Feed(data[:n], now))
			data = data[n:]
			now = now.Add(time.Millisecond)
		}
		check(d.Idle(now.Add(time.Second)))
		check(d.Flush(now.Add(time.Second)))
		if d.pending() {
			t.Fatal("state left after Flush")
		}
	})
}
